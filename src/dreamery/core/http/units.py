"""The request's unit of work: who is calling, from where, in one transaction.

A route takes `unit: SignedIn` (or `Public` for what anyone may read) and passes
`unit.session` and `unit.caller` to the domain operation. The transaction is opened before the
route runs and committed after its response has been serialized, before it is sent, so a
client never hears "done" about a change that did not commit; an error rolls it back.

Which token belongs to whom, and how a unit of work is opened, is the app's business: it puts
a `Gateway` in `app.state.gateway` (the hub's is `dreamery.api.deps.HubGateway`). Routes
depend only on this module, whatever app mounts them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer

from dreamery.core.context import RequestContext
from dreamery.core.db import Unit
from dreamery.core.errors import FieldError, PreconditionRequiredError, ValidationError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)


class Gateway(Protocol):
    async def authenticate(self, request: Request, token: str | None) -> uuid.UUID:
        """The user a bearer token belongs to; AuthenticationError when there is none."""
        ...

    def unit(
        self, user_id: uuid.UUID | None, request: RequestContext, *, write: bool
    ) -> AbstractAsyncContextManager[Unit]:
        """A unit of work acting as `user_id` (the system for None)."""
        ...


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_context(request: Request) -> RequestContext:
    agent = request.headers.get("user-agent")
    return RequestContext(
        request_id=getattr(request.state, "request_id", None),
        ip_address=client_ip(request)[:45],
        user_agent=agent[:500] if agent else None,
    )


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


async def signed_in_unit(
    request: Request, token: Annotated[str | None, Depends(bearer)]
) -> AsyncIterator[Unit]:
    gateway = _gateway(request)
    user_id = await gateway.authenticate(request, token)
    write = request.method not in SAFE_METHODS
    async with gateway.unit(user_id, request_context(request), write=write) as unit:
        yield unit


async def public_unit(request: Request) -> AsyncIterator[Unit]:
    """A read for anyone, signed in or not (the catalogue)."""
    async with _gateway(request).unit(None, request_context(request), write=False) as unit:
        yield unit


@asynccontextmanager
async def caller_unit(request: Request, *, write: bool = False) -> AsyncIterator[Unit]:
    """A unit of work acting as whoever the request's bearer token names (outside the
    route's own dependencies: for checks run once the route has been refused)."""
    gateway = _gateway(request)
    user_id = await gateway.authenticate(request, await bearer(request))
    async with gateway.unit(user_id, request_context(request), write=write) as unit:
        yield unit


# scope="function": the unit ends (commits) when the route has returned and its response is
# serialized, before the response is sent.
SignedIn = Annotated[Unit, Depends(signed_in_unit, scope="function")]
Public = Annotated[Unit, Depends(public_unit, scope="function")]


def parse_if_match(value: str | None) -> int | None:
    """The version an `If-Match: "3"` header names (None for absent or `*`)."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or int(tag) < 1:
        raise ValidationError([FieldError("If-Match", 'must be the ETag of the record, e.g. "3"')])
    return int(tag)


def precondition(
    label: str, versioned: bool, if_match: str | None, version: int | None
) -> int | None:
    """The version a PATCH or DELETE of a `label` is based on, from `If-Match` or the body's
    `version`; PreconditionRequiredError (428) when the record is versioned and neither says.

    `If-Match: *` says, on purpose, "whatever its version". Both given must agree.
    """
    header = parse_if_match(if_match)
    if header is not None and version is not None and header != version:
        raise ValidationError(
            [
                FieldError(
                    "version",
                    f"is {version} but If-Match names version {header}; send one of them",
                )
            ]
        )
    expected = version if version is not None else header
    if expected is None and versioned and (if_match is None or not if_match.strip()):
        raise PreconditionRequiredError(
            f"say which version of the {label} this change is based on: send the header "
            f'If-Match with the ETag from reading it (e.g. If-Match: "3"), or "version" in '
            f'the JSON body (e.g. {{"version": 3}}); If-Match: * changes it whatever its '
            "version",
            label=label,
        )
    return expected


def set_etag(response: Response, record: Any) -> None:
    version = getattr(record, "version", None)
    if version is not None:
        response.headers["ETag"] = f'"{version}"'


__all__ = [
    "Gateway",
    "Public",
    "SignedIn",
    "bearer",
    "caller_unit",
    "client_ip",
    "parse_if_match",
    "precondition",
    "request_context",
    "set_etag",
]
