"""Request guards of the studio, in front of every page and form.

- A state-changing request (anything but GET, HEAD, OPTIONS) must come from the studio's own
  site: its `Origin` (or, failing that, its `Referer`) must have the scheme, host and port of
  `PUBLIC_URL` (in development without one, those the request itself came by).
  Otherwise it is refused with 403 before it reaches a form, an action or the sign-in.
- starlette-admin puts a signed token in every form and AJAX call and checks it against its
  token cookie. The session remembers that cookie from the moment its user signed in, so a
  token planted later (another site writing cookies for a shared domain) is refused too.
- Pages are kept out of frames (clickjacking) and out of caches (they show personal data).

The session cookie itself is HttpOnly, SameSite=Strict, limited to the studio's path, Secure in
production; the session it names ends on sign-out, on a password change, when idle and
`SESSION_SECONDS` after sign-in (see `auth`).

A page runs only the inline code its templates hold (`inline_code`, allowed by hash in the
Content-Security-Policy that `core.http.headers.SecurityHeaders` gives every page): code that
renders the same for every request. Start-up code that needs a page's own data (the list's
and the record's) runs from `static/studio.js`, which reads the data from a JSON block.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from jinja2 import Environment, StrictUndefined, TemplateError
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_admin.security import CSRFMiddleware

from dreamery.core.http.headers import InlineCode, inline_parts

SESSION_COOKIE = "dreamery_studio"
SESSION_SECONDS = 8 * 60 * 60
SESSION_USER = "user_id"
SESSION_ID = "session_id"
SESSION_SIGNED_IN = "signed_in_at"
SESSION_LAST_SEEN = "last_seen_at"
SESSION_TOKEN = "form_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_COOKIE = CSRFMiddleware.cookie_name

# The Content-Security-Policy of each page is made by `core.http.headers.SecurityHeaders`,
# around the app the studio is mounted on, from `inline_code`.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def token_fingerprint(cookie: str | None) -> str:
    """What the session keeps of the form-token cookie (not the token itself)."""
    return hashlib.sha256((cookie or "").encode()).hexdigest()


def inline_code(templates: Environment) -> InlineCode:
    """The inline scripts and event handlers of every template, rendered as every page
    renders them: from the environment's globals alone (icons, class names, settings).

    A part that needs what only a request has (a URL, a record, a count) cannot be rendered
    here and is left out: the pages must not carry such code inline, and the browser would
    refuse it. So the policy never depends on what a response holds."""
    loader = templates.loader
    assert loader is not None
    parts = {
        part
        for name in templates.list_templates(extensions=["html"])
        for part in inline_parts(loader.get_source(templates, name)[0])
    }
    strict = templates.overlay(undefined=StrictUndefined)
    code = InlineCode()
    for part in parts:
        try:
            rendered = strict.from_string(part).render()
        except (TemplateError, LookupError, TypeError, AttributeError):
            continue  # it needs a request
        code |= InlineCode.of(rendered)
    return code


Origin = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of `url`, the default port filled in; None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def cross_origin(headers: Headers, expected: Origin | None, scheme: str = "http") -> str | None:
    """Why a state-changing request is not from this site, or None when it is.

    The site is `expected` (scheme, host and port of `PUBLIC_URL`); without one, in
    development, the scheme the request came by and the host it was sent to."""
    source = headers.get("origin") or headers.get("referer")
    if not source:
        return "the request does not say which site sent it (no Origin or Referer header)"
    site = expected or origin_of(f"{scheme}://{headers.get('host', '').strip()}")
    if site is None or origin_of(source) != site:
        return f"the request was sent from {source!r}, not from this site"
    return None


class StudioGuard:
    """ASGI middleware: same-origin check and session-bound token on state-changing
    requests; security headers on every response. Runs inside the session middleware."""

    def __init__(self, app: ASGIApp, public_url: str | None = None) -> None:
        self.app = app
        self.site = origin_of(public_url) if public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if scope["method"] not in SAFE_METHODS:
            refusal = self._refusal(connection)
            if refusal is not None:
                response = PlainTextResponse(f"Refused: {refusal}.", status_code=403)
                await response(scope, receive, self._with_headers(scope, send))
                return
        await self.app(scope, receive, self._with_headers(scope, send))

    def _refusal(self, connection: HTTPConnection) -> str | None:
        problem = cross_origin(connection.headers, self.site, connection.url.scheme)
        if problem is not None:
            return problem
        session = connection.scope.get("session")
        bound = session.get(SESSION_TOKEN) if session else None
        if session is not None and bound is not None:
            presented = token_fingerprint(connection.cookies.get(TOKEN_COOKIE))
            if not hmac.compare_digest(bound, presented):
                session.clear()
                return (
                    "the form token of this page is not the one your session started with; "
                    "sign in again"
                )
        return None

    @staticmethod
    def _with_headers(scope: Scope, send: Send) -> Send:
        static = "/static/" in scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        return send_with_headers


__all__ = [
    "SESSION_COOKIE",
    "SESSION_SECONDS",
    "SESSION_TOKEN",
    "SESSION_USER",
    "TOKEN_COOKIE",
    "StudioGuard",
    "cross_origin",
    "inline_code",
    "token_fingerprint",
]
