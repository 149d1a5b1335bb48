"""Security headers on every response, and a Content-Security-Policy for each group of pages.

Every response says `nosniff`, may not be framed (`X-Frame-Options`, `frame-ancestors`),
sends no referrer off-site, and, in production, tells browsers to use HTTPS only (HSTS).
A JSON answer gets `default-src 'none'`: it is data, never a document. An HTML page gets a
policy that allows only its own origin, plus what its group of pages (`Pages`, by path
prefix) declares: the sources it loads from elsewhere (the API docs' CDN) and the inline
scripts and event handlers its templates carry, by SHA-256.

That inline code is known before any request: the app hashes it from its templates and
fixed pages when it is built (`InlineCode.of`), never from the page being sent. A script
that finds its way into a page (a value rendered without escaping, a template bug) is
therefore not on the list, and the browser does not run it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

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
_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SOURCE = re.compile(r"\bsrc\s*=", re.IGNORECASE)
_TYPE = re.compile(r"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# The types a browser runs (the HTML standard's JavaScript MIME types, and modules); any other
# (`application/json`) is a data block, which no policy needs to allow.
_CODE_TYPES = frozenset(
    {"", "module", "text/javascript", "application/javascript", "application/ecmascript"}
    | {"text/ecmascript", "application/x-javascript", "text/x-javascript"}
)


def _digest(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def _runs(attributes: str) -> bool:
    """Whether a `<script>` with these attributes is inline code (not a file, not data)."""
    if _SOURCE.search(attributes):
        return False
    found = _TYPE.search(attributes)
    kind = next((value for value in found.groups() if value is not None), "") if found else ""
    return kind.strip().lower() in _CODE_TYPES


def inline_parts(page: str) -> list[str]:
    """Each inline script element (with its tags) and event-handler attribute in `page`, as
    written: what `InlineCode.of` hashes, once rendered."""
    scripts = [m.group() for m in _INLINE_SCRIPT.finditer(page) if _runs(m.group(1))]
    return scripts + [m.group() for m in _HANDLER.finditer(page)]


@dataclass(frozen=True)
class InlineCode:
    """Inline code a group of pages may run, as CSP hash sources: the contents of `<script>`
    elements and the values of event-handler attributes (`onclick="..."`)."""

    scripts: frozenset[str] = frozenset()
    handlers: frozenset[str] = frozenset()

    @classmethod
    def of(cls, page: str) -> InlineCode:
        """The inline code in `page`, a document or fragment the app itself wrote."""
        scripts = {_digest(m.group(2)) for m in _INLINE_SCRIPT.finditer(page) if _runs(m.group(1))}
        handlers = {
            _digest(html.unescape(double if double is not None else single))
            for double, single in (m.groups() for m in _HANDLER.finditer(page))
        }
        return cls(frozenset(scripts), frozenset(handlers))

    def __or__(self, other: InlineCode) -> InlineCode:
        return InlineCode(self.scripts | other.scripts, self.handlers | other.handlers)

    def sources(self) -> list[str]:
        """The `script-src` sources: the hashes, and `'unsafe-hashes'` when handlers need
        it (it lets hashes allow handler attributes, never arbitrary inline code)."""
        sources = sorted(self.scripts | self.handlers)
        return ["'unsafe-hashes'", *sources] if self.handlers else sources


@dataclass(frozen=True)
class Pages:
    """What the HTML pages under one path may use besides their own origin: sources of
    other sites by directive, and their inline code."""

    sources: Mapping[str, str] = field(default_factory=dict)
    code: InlineCode = InlineCode()

    def policy(self) -> str:
        directives = dict(PAGE_POLICY)
        for name, sources in self.sources.items():
            directives[name] = f"{directives.get(name, '')} {sources}".strip()
        inline = self.code.sources()
        if inline:
            directives["script-src"] = " ".join([directives["script-src"], *inline])
        return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response. `pages` maps path prefixes
    to what their pages may use; the longest prefix of a path decides, and a page under none
    gets the bare page policy."""

    def __init__(
        self, app: ASGIApp, *, hsts: bool = False, pages: Mapping[str, Pages] | None = None
    ) -> None:
        self.app = app
        self.hsts = hsts
        self.default = Pages().policy()
        # Longest first, so that /docs/oauth2-redirect is not taken for /docs.
        self.policies = sorted(
            (
                (prefix.rstrip("/") or "/", group.policy())
                for prefix, group in (pages or {}).items()
            ),
            key=lambda item: -len(item[0]),
        )

    def page_policy(self, path: str) -> str:
        for prefix, policy in self.policies:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return policy
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = self.page_policy(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASE_HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = page
                else:
                    headers.setdefault("Content-Security-Policy", DATA_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
