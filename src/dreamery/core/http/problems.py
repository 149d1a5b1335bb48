"""How errors look over HTTP: RFC 9457 problem details, and what each status means.

The handlers that turn a `DreameryError` into one live with the app (`dreamery.api.problems`);
routes only declare, with `RESPONSES(...)`, which of these statuses they can answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

PROBLEM_JSON = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(examples=["body.email"])
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
        default=None, description="every field error, by path (422, and 400 invalid_cursor)"
    )
    retry_after: int | None = Field(default=None, description="seconds to wait (429 only)")


MEANING = {
    400: "The request could not be read (or its page cursor was altered: `invalid_cursor`)",
    401: "Not signed in, or the token is expired or invalid",
    403: "Signed in, but not allowed to do this",
    404: "No such record, or not one you may see",
    409: "Conflict: a duplicate, or the record changed since the version you sent",
    413: "The request body is too large",
    415: "The body is not in a format this route reads",
    422: "Invalid input; every field error is listed by path",
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
