"""The hub's front door: `/` says what the hub is and where its parts are, and `/favicon.ico`
gives browsers its icon.

`/` answers a browser with a page and a program with a JSON index of the same links: the page
when the `Accept` header names HTML at least as readily as JSON, the index otherwise (`curl`'s
`*/*` included).
"""

from __future__ import annotations

import html
from importlib.resources import files

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from dreamery.api import docs

HTML = "text/html"
JSON = "application/json"
ICON = files("dreamery.api").joinpath("static", "favicon.ico").read_bytes()
ICON_CACHE = "public, max-age=86400"


def links(app: FastAPI, studio: str) -> dict[str, dict[str, str]]:
    return {
        "docs": {"href": docs.SWAGGER_UI, "title": "API documentation (Swagger UI): try it"},
        "redoc": {"href": docs.REDOC, "title": "API reference (ReDoc)"},
        "openapi": {"href": app.openapi_url or "/openapi.json", "title": "OpenAPI document"},
        "studio": {"href": studio, "title": "Studio: the data GUI, for administrators"},
        "health": {"href": "/health", "title": "Health: the process is up"},
        "ready": {"href": "/ready", "title": "Readiness: the database answers, migrated"},
    }


def _quality(accept: str, wanted: str) -> tuple[float, int]:
    """How readily `accept` takes `wanted`: its q-value, and how exactly it is named (2 for
    the type itself, 1 for `type/*`, 0 for `*/*`); (0, -1) when not at all."""
    kind = wanted.split("/")[0]
    best = (0.0, -1)
    for item in accept.split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        exactness = {wanted: 2, f"{kind}/*": 1, "*/*": 0}.get(media.lower())
        if exactness is None:
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if exactness > best[1]:
            best = (q, exactness)
    return best


def wants_html(accept: str) -> bool:
    html_q, html_exact = _quality(accept, HTML)
    json_q, json_exact = _quality(accept, JSON)
    if html_q <= 0 or html_exact < 1:
        return False
    return (html_q, html_exact) >= (json_q, json_exact)


def _page(app: FastAPI, index: dict[str, dict[str, str]]) -> str:
    items = "\n".join(
        f'      <li><a href="{html.escape(link["href"])}">{html.escape(link["href"])}</a>'
        f" <span>{html.escape(link['title'])}</span></li>"
        for link in index.values()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(app.title)}</title>
  <link rel="icon" href="/favicon.ico">
  <style>
    body {{ margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
      color: #1d2b28; background: #f3f6f5; }}
    main {{ max-width: 44rem; margin: 4rem auto; padding: 2rem 2.5rem; background: #fff;
      border-radius: 12px; box-shadow: 0 1px 3px rgb(0 0 0 / 12%); }}
    h1 {{ margin: 0 0 .5rem; font-size: 1.8rem; color: #1f6f5c; }}
    h1 img {{ width: 32px; height: 32px; vertical-align: -5px; margin-right: .5rem; }}
    p {{ margin: 0 0 1.5rem; }}
    ul {{ list-style: none; margin: 0; padding: 0; }}
    li {{ padding: .6rem 0; border-top: 1px solid #e3e9e7; }}
    a {{ color: #1f6f5c; font-weight: 600; text-decoration: none; }}
    a:hover {{ text-decoration: underline; }}
    li span {{ color: #5b6b67; margin-left: .5rem; }}
    footer {{ margin-top: 1.5rem; font-size: .85rem; color: #5b6b67; }}
  </style>
</head>
<body>
  <main>
    <h1><img src="/favicon.ico" alt="">{html.escape(app.title)}</h1>
    <p>The data platform for real-estate professionals: the catalogue of professional roles,
      their workflows, document templates, compliance tracking, analytics, tasks and
      notifications, behind one API.</p>
    <ul>
{items}
    </ul>
    <footer>API version {html.escape(app.version)}</footer>
  </main>
</body>
</html>
"""


def install(app: FastAPI, *, studio: str) -> None:
    """Serve `/` and `/favicon.ico` on `app`; `studio` is where the studio is mounted."""
    index = links(app, studio)
    page = _page(app, index).encode()
    summary = {"name": app.title, "version": app.version, "links": index}

    async def home(request: Request) -> Response:
        vary = {"Vary": "Accept"}
        if wants_html(request.headers.get("accept", "")):
            return HTMLResponse(page, headers=vary)
        return JSONResponse(summary, headers=vary)

    async def favicon(_request: Request) -> Response:
        return Response(
            ICON, media_type="image/vnd.microsoft.icon", headers={"Cache-Control": ICON_CACHE}
        )

    app.add_route("/", home, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route(docs.FAVICON, favicon, methods=["GET", "HEAD"], include_in_schema=False)
