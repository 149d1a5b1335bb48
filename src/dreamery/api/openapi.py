"""The OpenAPI document, completed: every error a route can answer, as problem+json.

Routes declare the errors particular to them (404, 409...). The ones any route can meet are
added here once: 400 (unreadable body), 413 (body too large), 422 (invalid input), 429 (rate
limit), where the route takes a JSON body 415 (a body not in UTF-8) and, where the route needs
a token, 401 and 403.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute, Mount

from dreamery.core.http.problems import MEANING, PROBLEM_JSON

_PROBLEM = {"$ref": "#/components/schemas/Problem"}
_COMMON = ("400", "413", "422", "429")
_HEADERS = {
    "429": {
        "Retry-After": {
            "description": "seconds to wait before trying again",
            "schema": {"type": "integer"},
        }
    },
    "401": {
        "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}},
    },
}


def _problem_response(status: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": MEANING[int(status)],
        "content": {PROBLEM_JSON: {"schema": _PROBLEM}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def _takes_json(operation: dict[str, Any]) -> bool:
    content = operation.get("requestBody", {}).get("content", {})
    return any(media == "application/json" or media.endswith("+json") for media in content)


def complete(document: dict[str, Any]) -> dict[str, Any]:
    for path, operations in document.get("paths", {}).items():
        if path in ("/health", "/ready"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            wanted = [*_COMMON, *(["401", "403"] if operation.get("security") else [])]
            if _takes_json(operation):
                wanted.append("415")
            for status in wanted:
                existing = responses.get(status)
                if existing is None or "HTTPValidationError" in str(existing):
                    responses[status] = _problem_response(status)
                else:
                    existing.setdefault("content", {})[PROBLEM_JSON] = {"schema": _PROBLEM}
                    if status in _HEADERS:
                        existing.setdefault("headers", _HEADERS[status])
    schemas = document.get("components", {}).get("schemas", {})
    if "HTTPValidationError" not in str(document.get("paths")):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return document


# Documents made, by what they are made of: apps that share their route objects (see
# `api.app`) share the document, which takes over a second to make. Each entry keeps its
# routes alive, so that their ids in the key cannot be reused by other routes.
_documents: dict[tuple[object, ...], tuple[list[BaseRoute], dict[str, Any]]] = {}


def _schema_routes(app: FastAPI) -> list[BaseRoute]:
    """The routes that may appear in the app's document (pages left out of the schema and
    mounts never do)."""
    return [
        route
        for route in app.routes
        if not isinstance(route, Mount) and getattr(route, "include_in_schema", True)
    ]


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            routes = _schema_routes(app)
            key = (
                app.title,
                app.version,
                app.description,
                repr(app.openapi_tags),
                *(id(route) for route in routes),
            )
            if key not in _documents:
                document = get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
                _documents[key] = (routes, complete(document))
            app.openapi_schema = copy.deepcopy(_documents[key][1])
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
