"""How errors look over HTTP: RFC 9457 problem details, and what each status means.

The handlers that turn a `DreameryError` into one live with the app (`dreamery.api.problems`);
routes only declare, with `RESPONSES(...)`, which of these statuses they can answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

PROBLEM_JSON = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(
        description="where the value is: a field name, dotted into objects and lists "
        "(`email`, `profile.phone`, `tags.1`); a header by its name (`If-Match`); `(body)` "
        "for the body as a whole",
        examples=["profile.phone"],
    )
    message: str = Field(examples=["value is not a valid email address"])
    type: str = Field(examples=["value_error"])


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(examples=["https://dreamery.example/problems/not_found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no user with id 0195f2c4-..."])
    code: str = Field(description="stable machine-readable error code", examples=["not_found"])
    instance: str = Field(examples=["/api/v1/users/0195f2c4-..."])
    request_id: str | None = None
    errors: list[FieldProblem] | None = Field(
        default=None,
        description="every field error, by path (422, 400 invalid_cursor, and the field of a "
        "409 duplicate)",
    )
    field: str | None = Field(
        default=None, description="the field whose value is taken (409 duplicate)"
    )
    retry_after: int | None = Field(default=None, description="seconds to wait (429 only)")
    permission: str | None = Field(
        default=None,
        description="the permission that was missing (403), as `resource:action:scope`, or "
        "`administrator` for what only platform administrators do",
        examples=["task:create:org"],
    )


MEANING = {
    400: "The request could not be read (or its page cursor was altered: `invalid_cursor`)",
    401: "Not signed in, or the token is expired or invalid",
    403: "Signed in, but not allowed to do this",
    404: "No such record, or not one you may see",
    409: "Conflict (`conflict`): a value that must be unique is taken (`field` names it), "
    "the record changed since the version you sent, or its state does not allow this",
    413: "The request body is too large",
    415: "The body is not in a format this route reads",
    422: "Invalid input; every field error is listed by path",
    428: "The change does not say which version it is based on: send If-Match with the "
    "record's ETag, or `version` in the body",
    429: "Too many requests; wait for Retry-After seconds",
}


def RESPONSES(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses a route can answer."""
    return {
        status: {
            "model": Problem,
            "description": MEANING[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


__all__ = ["MEANING", "PROBLEM_JSON", "RESPONSES", "FieldProblem", "Problem"]
