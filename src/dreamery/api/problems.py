"""Errors as RFC 9457 problem details (application/problem+json), in one place.

Domain errors keep their stable `code`; validation errors list every field error by path; a
request that cannot even be parsed gets a 400 or 422, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
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
    DuplicateError,
    FieldError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
    validator_message,
)
from dreamery.core.http.checks import further_errors
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


# Where FastAPI says a value came from; a field is named as the client wrote it, without it.
_SOURCES = frozenset({"body", "query", "path", "cookie"})


def _field_error(error: Mapping[str, Any], body: Any) -> FieldError:
    """A request error as a field error: `profile.phone`, `tags.1`, `limit`, `If-Match`, or
    `(body)` for the body as a whole; malformed JSON said in words, where it breaks."""
    location = tuple(error["loc"])
    if error["type"] == "json_invalid":
        return FieldError("(body)", _json_message(error, body), "json_invalid")
    if location and location[0] == "header":
        return FieldError("-".join(p.title() for p in str(location[-1]).split("-")), error["msg"])
    parts = location[1:] if location and location[0] in _SOURCES else location
    field = ".".join(str(part) for part in parts) or "(body)"
    message = validator_message(error["msg"])
    if field == "(body)" and error["type"] == "missing":
        message = "a JSON body is required"
    return FieldError(field, message, error["type"])


def _json_message(error: Mapping[str, Any], document: Any) -> str:
    reason = str((error.get("ctx") or {}).get("error", "it cannot be parsed"))
    position = error["loc"][-1] if error["loc"] else None
    if isinstance(position, int) and isinstance(document, str):
        line = document.count("\n", 0, position) + 1
        column = position - (document.rfind("\n", 0, position) + 1) + 1
        return f"the body is not valid JSON: {reason} at line {line} column {column}"
    if isinstance(position, int):
        return f"the body is not valid JSON: {reason} at character {position + 1}"
    return f"the body is not valid JSON: {reason}"


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

    @app.exception_handler(DuplicateError)
    async def _duplicate(request: Request, error: DuplicateError) -> JSONResponse:
        errors = [{"field": e.field, "message": e.message, "type": e.type} for e in error.errors]
        return problem(request, 409, error.code, error.message, field=error.field, errors=errors)

    @app.exception_handler(PermissionDeniedError)
    async def _denied(request: Request, error: PermissionDeniedError) -> JSONResponse:
        if error.permission is None:
            return problem(request, 403, error.code, error.message)
        return problem(request, 403, error.code, error.message, permission=error.permission)

    @app.exception_handler(DreameryError)
    async def _domain(request: Request, error: DreameryError) -> JSONResponse:
        return problem(request, error.status, error.code, error.message)

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, error: RequestValidationError) -> JSONResponse:
        found = [_field_error(e, error.body) for e in error.errors()]
        if isinstance(error.body, Mapping) and not any(e.type == "json_invalid" for e in found):
            # What the schema let through is checked as the service would check it
            # (references, policies), so that one answer lists every error.
            failed = frozenset(e.field.split(".")[0] for e in found)
            found += await further_errors(request, error.body, failed)
        errors = [{"field": e.field, "message": e.message, "type": e.type} for e in found]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(request, 422, "validation_error", f"invalid input: {summary}", errors=errors)

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
