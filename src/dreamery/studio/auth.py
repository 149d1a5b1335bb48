"""Signing in to the studio: email and password, administrators only.

The password is checked by `DatabaseService.sign_in`, throttled like the API's sign-in. The
studio keeps its own cookie session, so the refresh token that sign-in opens is revoked at
once. Every request then re-reads the user through the facade: someone deactivated, deleted
or no longer an administrator is signed out on their next click.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette_admin.auth import AdminUser, AuthProvider, FormValidationError, LoginFailed

from dreamery.core.errors import AuthenticationError, NotFoundError
from dreamery.studio.security import (
    SESSION_TOKEN,
    SESSION_USER,
    TOKEN_COOKIE,
    token_fingerprint,
)

if TYPE_CHECKING:
    from dreamery.studio.app import Studio

NOT_ADMIN = "{email} is not an administrator: the studio is for administrators only"


class StudioAuth(AuthProvider):
    def __init__(self, studio: Studio) -> None:
        super().__init__(login_path="/login", logout_path="/logout")
        self.studio = studio

    async def login(
        self, username: str, password: str, remember_me: bool, request: Request
    ) -> Response | None:
        email = username.strip()[:254]
        missing: dict[str | int, Any] = {
            name: "is required"
            for name, value in (("username", email), ("password", password))
            if not value
        }
        if missing:
            raise FormValidationError(missing)
        limiter = self.studio.limiter
        ip = self.studio.client_ip(request)
        verdict = await limiter.check_login(ip, email)
        if not verdict.allowed:
            raise LoginFailed(
                f"too many sign-in attempts; wait {verdict.retry_after} s and try again"
            )
        db = self.studio.service(request)
        try:
            session = await db.sign_in(email, password[:1024])
        except AuthenticationError as error:
            await limiter.login_failed(ip, email)
            raise LoginFailed(str(error)) from None
        await limiter.login_succeeded(ip, email)
        acting = db.acting_as(session.user_id)
        await acting.sign_out(session.refresh_token)
        me = await acting.find_me()
        if not me.is_admin:
            raise LoginFailed(NOT_ADMIN.format(email=email))
        request.session.clear()
        request.session[SESSION_USER] = str(me.id)
        request.session[SESSION_TOKEN] = token_fingerprint(request.cookies.get(TOKEN_COOKIE))
        return None

    async def logout(self, request: Request) -> Response | None:
        request.session.clear()
        return None

    async def authenticate(self, request: Request) -> AdminUser | None:
        user_id = _user_id(request.session.get(SESSION_USER))
        if user_id is None or "/static/" in request.url.path:
            # Style sheets and scripts are public: no database round trip for each.
            return None
        request.state.studio_user_id = user_id
        try:
            me: Any = await self.studio.acting(request).find_me()
        except (AuthenticationError, NotFoundError):
            me = None
        if me is None or not me.is_active or not me.is_admin:
            request.session.clear()
            return None
        return AdminUser(username=f"{me.first_name} {me.last_name}")


def _user_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


__all__ = ["StudioAuth"]
