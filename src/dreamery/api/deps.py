"""Request-scoped dependencies: the service, who is calling, and from where."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from dreamery.auth import tokens
from dreamery.core.config import Settings
from dreamery.core.context import RequestContext
from dreamery.core.errors import AuthenticationError
from dreamery.service import DatabaseService

bearer = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_context(request: Request) -> RequestContext:
    agent = request.headers.get("user-agent")
    return RequestContext(
        request_id=getattr(request.state, "request_id", None),
        ip_address=client_ip(request)[:45],
        user_agent=agent[:500] if agent else None,
    )


def settings(request: Request) -> Settings:
    """The settings the app was built with."""
    configured: Settings = request.app.state.settings
    return configured


async def service(request: Request) -> DatabaseService:
    """The service with no signed-in user, for public routes and sign-in itself."""
    db: DatabaseService = request.app.state.db
    return db.with_request(request_context(request))


def current_user_id(request: Request, token: Annotated[str | None, Depends(bearer)]) -> uuid.UUID:
    if not token:
        raise AuthenticationError("sign in first: send Authorization: Bearer <access token>")
    try:
        claims = tokens.read_access_token(settings(request), token)
    except tokens.InvalidTokenError as error:
        raise AuthenticationError(str(error)) from None
    return claims.user_id


async def acting(
    request: Request, user_id: Annotated[uuid.UUID, Depends(current_user_id)]
) -> DatabaseService:
    """The service acting as the signed-in user: their permissions, their audit rows."""
    db: DatabaseService = request.app.state.db
    return db.acting_as(user_id, request_context(request))


Public = Annotated[DatabaseService, Depends(service)]
Acting = Annotated[DatabaseService, Depends(acting)]
UserId = Annotated[uuid.UUID, Depends(current_user_id)]
