"""Security headers on every response, and a Content-Security-Policy made for each page.

Every response says `nosniff`, may not be framed (`X-Frame-Options`, `frame-ancestors`),
sends no referrer off-site, and, in production, tells browsers to use HTTPS only (HSTS).
A JSON answer gets `default-src 'none'`: it is data, never a document. An HTML page gets a
policy that allows only its own origin, plus the exact inline scripts (and inline event
handlers) it carries, by their SHA-256, so a script injected into the page does not run;
pages that load assets from elsewhere (the API docs) name those sources in `extra_sources`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=63072000; includeSubDomains"
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
PAGE_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",  # style attributes; they cannot run code
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
_INLINE_SCRIPT = re.compile(
    rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)
_HANDLER = re.compile(rb"""\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
MAX_PAGE = 8 * 1024 * 1024  # larger HTML is sent without inline scripts allowed


def _digest(code: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code).digest()).decode() + "'"


def page_policy(body: bytes, extra: Mapping[str, str] | None = None) -> str:
    """The policy for one HTML page: its own inline scripts and handlers allowed by hash."""
    directives = dict(PAGE_POLICY)
    for name, sources in (extra or {}).items():
        directives[name] = f"{directives.get(name, '')} {sources}".strip()
    scripts = sorted({_digest(code) for code in _INLINE_SCRIPT.findall(body)})
    handlers = sorted(
        {
            _digest(html.unescape((double or single).decode()).encode())
            for double, single in _HANDLER.findall(body)
        }
    )
    if handlers:
        scripts += ["'unsafe-hashes'", *handlers]
    if scripts:
        directives["script-src"] = " ".join([directives["script-src"], *scripts])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts: bool = False,
        extra_sources: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.app = app
        self.hsts = hsts
        self.extra_sources = dict(extra_sources or {})  # path prefix -> directive -> sources

    def _extra(self, path: str) -> Mapping[str, str] | None:
        for prefix, sources in self.extra_sources.items():
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return sources
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._extra(scope["path"])
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASE_HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if not headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", DATA_POLICY)
                    await send(message)
                    return
                start = message  # held until the page is whole: its policy depends on it
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if message.get("more_body", False) and size <= MAX_PAGE:
                return
            body = b"".join(chunks)
            policy = page_policy(body if size <= MAX_PAGE else b"", extra)
            MutableHeaders(scope=start)["Content-Security-Policy"] = policy
            await send(start)
            await send({**message, "body": body})
            start, chunks[:] = None, []

        await self.app(scope, receive, send_with_headers)
