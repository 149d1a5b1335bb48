"""The API's documentation pages: Swagger UI at /docs, ReDoc at /redoc, with every file they
load served by the hub itself, so that they work on a closed network.

Swagger UI's and ReDoc's scripts and styles come from the `fastapi-offline` package, which
ships the published bundles as files; the hub serves them from memory under a path that names
the package's version (`/docs/assets/<version>/...`), so a browser may keep them for good and
an upgrade changes the address. The pages are FastAPI's own, made once when the app is built
rather than for each request: fixed documents, whose inline scripts are therefore known in
advance. Their Content-Security-Policy (`pages`) allows exactly those scripts, by hash, and
otherwise only the hub's own origin.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from dreamery.core.http.headers import InlineCode, Pages

SWAGGER_UI = "/docs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
REDOC = "/redoc"
FAVICON = "/favicon.ico"
ASSETS = f"/docs/assets/{version('fastapi-offline')}"
FOREVER = "public, max-age=31536000, immutable"
# What each page needs besides the hub's own origin: ReDoc runs its search in a worker that it
# makes from a blob of its own script.
SOURCES: dict[str, dict[str, str]] = {
    SWAGGER_UI: {},
    OAUTH2_REDIRECT: {},
    REDOC: {"worker-src": "'self' blob:"},
}
# Swagger UI would otherwise send the document to an online validator for a badge.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
# ReDoc's footer shows a logo from its makers' site, whatever its options say; an empty image
# in its place fails to load, and ReDoc then leaves the logo out.
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_IMAGE = b"data:,"
JAVASCRIPT = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"


@cache
def assets() -> dict[str, tuple[bytes, str]]:
    """Each file the pages load, by name under `ASSETS`: its content and media type."""
    bundled = files("fastapi_offline").joinpath("static")
    redoc = bundled.joinpath("redoc.standalone.js").read_bytes().replace(REDOC_LOGO, NO_IMAGE)
    return {
        "swagger-ui-bundle.js": (bundled.joinpath("swagger-ui-bundle.js").read_bytes(), JAVASCRIPT),
        "swagger-ui.css": (bundled.joinpath("swagger-ui.css").read_bytes(), CSS),
        "redoc.standalone.js": (redoc, JAVASCRIPT),
    }


def _documents(app: FastAPI) -> dict[str, bytes]:
    openapi_url = app.openapi_url or "/openapi.json"
    pages = {
        SWAGGER_UI: get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=FAVICON,
            oauth2_redirect_url=OAUTH2_REDIRECT,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS | (app.swagger_ui_parameters or {}),
        ),
        OAUTH2_REDIRECT: get_swagger_ui_oauth2_redirect_html(),
        REDOC: get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        ),
    }
    return {path: bytes(page.body) for path, page in pages.items()}


def install(app: FastAPI) -> dict[str, Pages]:
    """Serve the pages and their files on `app` (made with `docs_url=None, redoc_url=None`);
    what each page may use, for `SecurityHeaders`."""
    documents = _documents(app)
    for path, body in documents.items():

        async def page(_request: Request, body: bytes = body) -> HTMLResponse:
            return HTMLResponse(body)

        app.add_route(path, page, include_in_schema=False)
    for name, (content, media_type) in assets().items():

        async def asset(
            _request: Request, content: bytes = content, media_type: str = media_type
        ) -> Response:
            return Response(content, media_type=media_type, headers={"Cache-Control": FOREVER})

        app.add_route(f"{ASSETS}/{name}", asset, methods=["GET", "HEAD"], include_in_schema=False)
    return {
        path: Pages(sources=SOURCES[path], code=InlineCode.of(body.decode()))
        for path, body in documents.items()
    }
