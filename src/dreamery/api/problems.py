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
from starlette.exceptions import HTTPException as StarletteHTTPException

from dreamery.core.db import RETRY_AFTER_SECONDS
from dreamery.core.errors import (
    AuthenticationError,
    DatabaseUnavailableError,
    DreameryError,
    RateLimitedError,
    ValidationError,
    validator_message,
)
from dreamery.core.http.problems import PROBLEM_JSON
from dreamery.core.logs import log_unexpected

logger = logging.getLogger(__name__)
# Marks an answer the request may be tried again for (a read that met a lost connection);
# `api.guards` retries an idempotent request once and never lets the header out.
RETRYABLE_HEADER = "x-dreamery-retryable"


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
        return problem(request, error.status, error.code, error.message, errors=errors)

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

    @app.exception_handler(DatabaseUnavailableError)
    async def _unavailable(request: Request, error: DatabaseUnavailableError) -> JSONResponse:
        retry_after = int(error.details.get("retry_after", RETRY_AFTER_SECONDS))
        return problem(
            request,
            503,
            error.code,
            f"the database is unavailable; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after), RETRYABLE_HEADER: "1"},
            retry_after=retry_after,
        )

    @app.exception_handler(DreameryError)
    async def _domain(request: Request, error: DreameryError) -> JSONResponse:
        return problem(request, error.status, error.code, error.message)

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(part) for part in e["loc"]),
                "message": validator_message(e["msg"]),
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
        log_unexpected(logger, "unhandled error on %s %s", error, request.method, request.url.path)
        return problem(
            request,
            500,
            "internal_error",
            "the server failed to answer this request; it has been logged",
        )
