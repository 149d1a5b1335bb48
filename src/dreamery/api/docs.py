"""The API's documentation pages: Swagger UI at /docs, ReDoc at /redoc.

They are FastAPI's own pages, made once when the app is built rather than for each request:
fixed documents, whose inline scripts are therefore known in advance. Their
Content-Security-Policy (`pages`) allows exactly those scripts, by hash, and the CDN that
Swagger UI and ReDoc load from.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dreamery.core.http.headers import InlineCode, Pages

SWAGGER_UI = "/docs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
REDOC = "/redoc"
# Where each page loads its assets from; every other page of the hub is self-contained.
SOURCES: dict[str, dict[str, str]] = {
    SWAGGER_UI: {
        "script-src": "https://cdn.jsdelivr.net",
        "style-src": "https://cdn.jsdelivr.net",
        "img-src": "https://fastapi.tiangolo.com",
    },
    OAUTH2_REDIRECT: {},
    REDOC: {
        "script-src": "https://cdn.jsdelivr.net",
        "style-src": "https://fonts.googleapis.com",
        "font-src": "https://fonts.gstatic.com",
        "img-src": "https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "worker-src": "blob:",
    },
}


def _documents(app: FastAPI) -> dict[str, bytes]:
    openapi_url = app.openapi_url or "/openapi.json"
    pages = {
        SWAGGER_UI: get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=OAUTH2_REDIRECT,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        ),
        OAUTH2_REDIRECT: get_swagger_ui_oauth2_redirect_html(),
        REDOC: get_redoc_html(openapi_url=openapi_url, title=f"{app.title} - ReDoc"),
    }
    return {path: bytes(page.body) for path, page in pages.items()}


def install(app: FastAPI) -> dict[str, Pages]:
    """Serve the pages on `app` (made with `docs_url=None, redoc_url=None`); what each may
    use, for `SecurityHeaders`."""
    documents = _documents(app)
    for path, body in documents.items():

        async def page(_request: Request, body: bytes = body) -> HTMLResponse:
            return HTMLResponse(body)

        app.add_route(path, page, include_in_schema=False)
    return {
        path: Pages(sources=SOURCES[path], code=InlineCode.of(body.decode()))
        for path, body in documents.items()
    }
