"""Rate limits and the request-size cap, as one ASGI middleware in front of every route.

Each request counts against its client IP and, when it carries a valid access token, against
its user; over either limit it is answered 429 with `Retry-After` before reaching a route.
A body larger than MAX_BODY_BYTES is refused with 413, whether it announces its length or
streams in chunks.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dreamery.api.problems import problem
from dreamery.auth import tokens
from dreamery.auth.throttle import Limiter
from dreamery.core.config import Settings

UNLIMITED = ("/health", "/ready")


class Guards:
    def __init__(self, app: ASGIApp, *, limiter: Limiter, settings: Settings) -> None:
        self.app = app
        self.limiter = limiter
        self.settings = settings
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
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
            return str(tokens.read_access_token(self.settings, token.strip()).user_id)
        except tokens.InvalidTokenError:
            return None

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
