"""Request ids, rate limits and the request-size cap: one ASGI middleware before every route.

Each request gets an id (the client's `X-Request-ID` when printable, else a new UUID), kept in
`request.state.request_id` for problem bodies and audit rows and echoed in the response. Each
request counts against its client IP and, when it carries a valid access token, against
its user; over either limit it is answered 429 with `Retry-After` before reaching a route.
A body larger than MAX_BODY_BYTES is refused with 413, whether it announces its length or
streams in chunks.
"""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dreamery.api.problems import problem
from dreamery.auth import tokens
from dreamery.auth.throttle import Limiter
from dreamery.core.config import Settings

UNLIMITED = ("/health", "/ready")
REQUEST_ID_HEADER = "X-Request-ID"


class Guards:
    def __init__(self, app: ASGIApp, *, limiter: Limiter, settings: Settings) -> None:
        self.app = app
        self.limiter = limiter
        self.settings = settings
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given[:64] if given and given.isprintable() else str(uuid.uuid4())
        request.state.request_id = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self._guarded(scope, request, receive, send_with_id)

    async def _guarded(self, scope: Scope, request: Request, receive: Receive, send: Send) -> None:
        if scope["path"] in UNLIMITED:
            await self.app(scope, receive, send)
            return
        ip = scope["client"][0] if scope.get("client") else "unknown"
        verdict = await self.limiter.hit(self.limiter.per_ip, "ip", ip)
        if verdict.allowed:
            user = self._user(request)
            if user is not None:
                verdict = await self.limiter.hit(self.limiter.per_user, "user", user)
        if not verdict.allowed:
            response = problem(
                request,
                429,
                "rate_limited",
                "too many requests; slow down",
                headers={"Retry-After": str(verdict.retry_after)},
                retry_after=verdict.retry_after,
            )
            await response(scope, receive, send)
            return
        raw = scope.get("query_string", b"") + scope.get("raw_path", b"")
        if b"%00" in raw or b"\x00" in raw:
            response = problem(
                request,
                422,
                "validation_error",
                "the URL must not contain NUL (%00) characters",
                errors=[{"field": "url", "message": "contains %00", "type": "value_error"}],
            )
            await response(scope, receive, send)
            return
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._too_large(request)(scope, receive, send)
            return
        await self.app(scope, self._capped(receive), send)

    def _user(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            claims = tokens.read_access_token(self.settings, token.strip())
        except tokens.InvalidTokenError:
            return None
        # The route's dependency reuses this instead of checking the token again.
        request.state.bearer = (token.strip(), claims.user_id)
        return str(claims.user_id)

    def _too_large(self, request: Request) -> ASGIApp:
        return problem(
            request,
            413,
            "payload_too_large",
            f"the request body is larger than {self.max_body} bytes",
        )

    def _capped(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.max_body

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"the request body is larger than {limit} bytes")
            return message

        return capped
