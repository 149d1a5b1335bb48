"""Request ids, rate limits and the request-size cap: one ASGI middleware before every route.

Each request gets an id (the client's `X-Request-ID` when printable, else a new UUID), kept in
`request.state.request_id` for problem bodies and audit rows and echoed in the response. Each
request counts against its client IP and, when it carries a valid access token, against
its user; over either limit it is answered 429 with `Retry-After` before reaching a route.
A body larger than MAX_BODY_BYTES is refused with 413, whether it announces its length or
streams in chunks. A JSON body nested deeper than `MAX_BODY_DEPTH` levels is refused with 422
naming its top-level field before any parser recurses into it (the schemas hold free-form
JSON to `core.schemas.MAX_JSON_DEPTH`, and name the exact place). A JSON body that is not
UTF-8, by its bytes or by the charset it declares, is refused with 415: RFC 8259 allows no
other encoding between systems, and the depth is counted in UTF-8.
"""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dreamery.api.problems import RETRYABLE_HEADER, problem
from dreamery.auth import tokens
from dreamery.auth.throttle import Limiter
from dreamery.core.config import Settings
from dreamery.core.http.json_depth import encoding, too_deep
from dreamery.core.schemas import MAX_JSON_DEPTH

UNLIMITED = ("/health", "/ready")
MAX_BODY_DEPTH = 2 * MAX_JSON_DEPTH
WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENT = frozenset({"GET", "HEAD"})
REQUEST_ID_HEADER = "X-Request-ID"
UTF_8 = frozenset({"utf-8", "utf8", "utf-8-sig"})


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
        receive = self._capped(receive)
        if scope["method"] in WITH_BODY and _is_json(request.headers.get("content-type", "")):
            try:
                body, receive = await _buffered(receive)
            except HTTPException:
                await self._too_large(request)(scope, receive, send)
                return
            wrong = _not_utf_8(request.headers["content-type"], body)
            if wrong is not None:
                await self._not_utf_8(request, wrong)(scope, receive, send)
                return
            where = too_deep(body, MAX_BODY_DEPTH)
            if where is not None:
                await self._too_deep(request, where)(scope, receive, send)
                return
        if scope["method"] in IDEMPOTENT:
            await self._retrying(scope, receive, send)
            return
        await self.app(scope, receive, _unmarked(send))

    async def _retrying(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A read that met a lost database connection is tried once more (the pool has
        discarded its dead connections by then) before the client hears 503."""
        retry = False

        async def first_send(message: Message) -> None:
            nonlocal retry
            if message["type"] == "http.response.start":
                retry = MutableHeaders(scope=message).get(RETRYABLE_HEADER) is not None
            if not retry:
                await send(message)

        await self.app(scope, receive, first_send)
        if not retry:
            return

        async def no_body() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        await self.app(scope, no_body, _unmarked(send))

    def _too_deep(self, request: Request, where: tuple[str, ...]) -> ASGIApp:
        field = ".".join(where[1:]) or "(body)"  # named as the other field errors are
        message = f"is nested deeper than {MAX_BODY_DEPTH} levels"
        return problem(
            request,
            422,
            "validation_error",
            f"invalid input: {field}: {message}",
            errors=[{"field": field, "message": message, "type": "json_too_deep"}],
        )

    def _not_utf_8(self, request: Request, charset: str) -> ASGIApp:
        return problem(
            request,
            415,
            "unsupported_media_type",
            f"the request body is {charset}; a JSON body must be UTF-8 (RFC 8259)",
        )

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


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _not_utf_8(content_type: str, body: bytes) -> str | None:
    """The encoding of a JSON body when it is not UTF-8: the charset its Content-Type
    declares, or the one its bytes are read in (a byte-order mark, the NULs of UTF-16)."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in UTF_8:
            return f"declared charset={charset}"
    found = encoding(body)
    return None if found in UTF_8 else found.upper()


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (already capped in size), and a `receive` that hands it on again."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b"", _replay([message], receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replay([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _unmarked(send: Send) -> Send:
    """`send`, with the retry mark taken off the answer."""

    async def unmarked(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if RETRYABLE_HEADER in headers:
                del headers[RETRYABLE_HEADER]
        await send(message)

    return unmarked
