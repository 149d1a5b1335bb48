"""Request-scoped dependencies of the hub's own routes, and the gateway the domain routes use.

The domain routes take their unit of work from `dreamery.core.http` (`SignedIn`, `Public`),
which asks `app.state.gateway` for it: `HubGateway` below checks the bearer token and opens
the unit through the app's `DatabaseService`. The sign-in routes (`api.auth`) use the
facade directly: `Public` (no user) and `Acting` (the signed-in user).
"""

from __future__ import annotations

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


def settings(request: Request) -> Settings:
    """The settings the app was built with."""
    configured: Settings = request.app.state.settings
    return configured


def read_token(configured: Settings, token: str | None) -> uuid.UUID:
    """The user an access token was issued to; AuthenticationError saying what is wrong."""
    if not token:
        raise AuthenticationError("sign in first: send Authorization: Bearer <access token>")
    try:
        claims = tokens.read_access_token(configured, token)
    except tokens.InvalidTokenError as error:
        raise AuthenticationError(str(error)) from None
    return claims.user_id


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
        return read_token(settings(request), token)

    def unit(
        self, user_id: uuid.UUID | None, request: RequestContext, *, write: bool
    ) -> AbstractAsyncContextManager[Unit]:
        db = (
            self._db.with_request(request)
            if user_id is None
            else self._db.acting_as(user_id, request)
        )
        return db.unit(write=write)


async def service(request: Request) -> DatabaseService:
    """The service with no signed-in user, for public routes and sign-in itself."""
    db: DatabaseService = request.app.state.db
    return db.with_request(request_context(request))


def current_user_id(request: Request, token: Annotated[str | None, Depends(bearer)]) -> uuid.UUID:
    return read_token(settings(request), token)


async def acting(
    request: Request, user_id: Annotated[uuid.UUID, Depends(current_user_id)]
) -> DatabaseService:
    """The service acting as the signed-in user: their permissions, their audit rows."""
    db: DatabaseService = request.app.state.db
    return db.acting_as(user_id, request_context(request))


Public = Annotated[DatabaseService, Depends(service)]
Acting = Annotated[DatabaseService, Depends(acting)]
UserId = Annotated[uuid.UUID, Depends(current_user_id)]
