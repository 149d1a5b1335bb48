"""Request-scoped dependencies of the hub's own routes, and the gateway the domain routes use.

The domain routes take their unit of work from `dreamery.core.http` (`SignedIn`, `Public`),
which asks `app.state.gateway` for it: `HubGateway` below checks the bearer token and the
session it names, and opens the unit through the app's `DatabaseService`. The sign-in routes
(`api.auth`) use the facade directly: `Public` (no user) and `Acting` (the signed-in user).

A token is good only while its session is open: signing out (here or everywhere), changing
the password, a replayed refresh token or a deactivated account end it, and the next request
is refused. Each worker asks the database at most once a second per session (`OpenSessions`).
"""

from __future__ import annotations

import time
import uuid
from contextlib import AbstractAsyncContextManager
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import State

from dreamery.auth import tokens
from dreamery.core.config import Settings
from dreamery.core.context import RequestContext
from dreamery.core.db import Unit
from dreamery.core.errors import AuthenticationError
from dreamery.core.http.units import bearer, request_context
from dreamery.service import DatabaseService

SESSION_ENDED = "this session has ended (signed out, or the password changed); sign in again"


def settings(request: Request) -> Settings:
    """The settings the app was built with."""
    configured: Settings = request.app.state.settings
    return configured


class OpenSessions:
    """Which sessions are still open, as this worker last heard from the database: an answer
    is trusted for at most `TTL` seconds, and what this worker ends itself is forgotten at
    once (so its own sign-out or password change holds from the next request)."""

    TTL = 1.0
    MAX_REMEMBERED = 10_000

    def __init__(self) -> None:
        self._seen: dict[uuid.UUID, tuple[uuid.UUID, float]] = {}  # session -> (user, when)

    async def check(self, db: DatabaseService, claims: tokens.AccessClaims) -> None:
        now = time.monotonic()
        seen = self._seen.get(claims.session_id)
        if seen is not None and seen[0] == claims.user_id and now - seen[1] < self.TTL:
            return
        if not await db.session_alive(claims.user_id, claims.session_id):
            self._seen.pop(claims.session_id, None)
            raise AuthenticationError(SESSION_ENDED)
        if len(self._seen) >= self.MAX_REMEMBERED:
            self._seen = {sid: seen for sid, seen in self._seen.items() if now - seen[1] < self.TTL}
        self._seen[claims.session_id] = (claims.user_id, now)

    def forget_user(self, user_id: uuid.UUID) -> None:
        self._seen = {sid: seen for sid, seen in self._seen.items() if seen[0] != user_id}


def read_token(configured: Settings, token: str | None) -> tokens.AccessClaims:
    """The claims of a well-formed access token; AuthenticationError saying what is wrong."""
    if not token:
        raise AuthenticationError("sign in first: send Authorization: Bearer <access token>")
    try:
        return tokens.read_access_token(configured, token)
    except tokens.InvalidTokenError as error:
        raise AuthenticationError(str(error)) from None


async def signed_in(request: Request, token: str | None) -> tokens.AccessClaims:
    """The claims of the request's token, once its session is known to be open."""
    claims = read_token(settings(request), token)
    sessions: OpenSessions = request.app.state.sessions
    await sessions.check(request.app.state.db, claims)
    return claims


class HubGateway:
    """What the domain routes get from the hub: who a token belongs to, and a unit of work
    acting as them through the app's `DatabaseService`."""

    def __init__(self, state: State) -> None:
        self._state = state  # the app's: its DatabaseService may be made later, in the lifespan

    @property
    def _db(self) -> DatabaseService:
        db: DatabaseService = self._state.db
        return db

    async def authenticate(self, request: Request, token: str | None) -> uuid.UUID:
        return (await signed_in(request, token)).user_id

    def unit(
        self, user_id: uuid.UUID | None, request: RequestContext, *, write: bool
    ) -> AbstractAsyncContextManager[Unit]:
        db = self._db
        acting = db.with_request(request) if user_id is None else db.acting_as(user_id, request)
        return acting.unit(write=write)


async def service(request: Request) -> DatabaseService:
    """The service with no signed-in user, for public routes and sign-in itself."""
    db: DatabaseService = request.app.state.db
    return db.with_request(request_context(request))


async def current_claims(
    request: Request, token: Annotated[str | None, Depends(bearer)]
) -> tokens.AccessClaims:
    return await signed_in(request, token)


async def acting(
    request: Request, claims: Annotated[tokens.AccessClaims, Depends(current_claims)]
) -> DatabaseService:
    """The service acting as the signed-in user: their permissions, their audit rows."""
    db: DatabaseService = request.app.state.db
    return db.acting_as(claims.user_id, request_context(request))


Public = Annotated[DatabaseService, Depends(service)]
Acting = Annotated[DatabaseService, Depends(acting)]
Claims = Annotated[tokens.AccessClaims, Depends(current_claims)]
