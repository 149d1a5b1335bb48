"""Errors as RFC 9457 problem details (application/problem+json), in one place.

Domain errors keep their stable `code`; validation errors list every field error by path; a
request that cannot even be parsed gets a 400 or 422, never a 500.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from dreamery.core.errors import (
    AuthenticationError,
    DreameryError,
    RateLimitedError,
    ValidationError,
)

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)


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
        default=None, description="every field error, by path (422 only)"
    )
    retry_after: int | None = Field(default=None, description="seconds to wait (429 only)")


MEANING = {
    400: "The request could not be read",
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


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"https://dreamery.example/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        **extra,
    }
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ValidationError)
    async def _validation(request: Request, error: ValidationError) -> JSONResponse:
        errors = [{"field": e.field, "message": e.message, "type": e.type} for e in error.errors]
        return problem(request, 422, error.code, error.message, errors=errors)

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(request: Request, error: AuthenticationError) -> JSONResponse:
        return problem(
            request,
            401,
            error.code,
            error.message,
            headers={"WWW-Authenticate": 'Bearer realm="dreamery"'},
        )

    @app.exception_handler(RateLimitedError)
    async def _limited(request: Request, error: RateLimitedError) -> JSONResponse:
        return problem(
            request,
            429,
            error.code,
            error.message,
            headers={"Retry-After": str(error.retry_after)},
            retry_after=error.retry_after,
        )

    @app.exception_handler(DreameryError)
    async def _domain(request: Request, error: DreameryError) -> JSONResponse:
        return problem(request, error.status, error.code, error.message)

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(part) for part in e["loc"]),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in error.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(
            request, 422, "validation_error", f"invalid request: {summary}", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = HTTPStatus(error.status_code).phrase.lower().replace(" ", "_")
        return problem(request, error.status_code, code, str(error.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            request,
            500,
            "internal_error",
            "the server failed to answer this request; it has been logged",
        )
