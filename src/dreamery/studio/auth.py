"""Signing in to the studio: email and password, administrators only.

The password is checked by `DatabaseService.sign_in`, throttled like the API's sign-in, and
opens a session like the API's: the cookie names it (`SESSION_ID`), and it ends when the
administrator signs out of the studio, signs out everywhere or changes their password
anywhere, when the account is deactivated, after `STUDIO_IDLE_MINUTES` without a request, and
`SESSION_SECONDS` after sign-in in any case. So a copied cookie is worth nothing once its
session has ended. Every request re-reads the user through the facade: someone no longer an
administrator is signed out on their next click.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette_admin.auth import AdminUser, AuthProvider, FormValidationError, LoginFailed

from dreamery.core.errors import AuthenticationError, NotFoundError
from dreamery.studio.security import (
    SESSION_ID,
    SESSION_LAST_SEEN,
    SESSION_SECONDS,
    SESSION_SIGNED_IN,
    SESSION_TOKEN,
    SESSION_USER,
    TOKEN_COOKIE,
    token_fingerprint,
)

if TYPE_CHECKING:
    from dreamery.studio.app import Studio

LAST_SEEN_STEP = 60  # seconds: how precisely idleness is measured
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
        db = self.studio.service(request)
        ip = self.studio.client_ip(request)
        async with self.studio.limiter.login_attempt(ip, email) as attempt:
            if not attempt.allowed:
                raise LoginFailed(
                    f"too many sign-in attempts; wait {attempt.retry_after} s and try again"
                )
            try:
                session = await db.sign_in(email, password[:1024])
            except AuthenticationError as error:
                attempt.failed()
                raise LoginFailed(str(error)) from None
            attempt.succeeded()
        acting = db.acting_as(session.user_id)
        me = await acting.find_me()
        if not me.is_admin:
            await acting.sign_out(session_id=session.session_id)
            raise LoginFailed(NOT_ADMIN.format(email=email))
        now = int(time.time())
        request.session.clear()
        request.session.update(
            {
                SESSION_USER: str(me.id),
                SESSION_ID: str(session.session_id),
                SESSION_SIGNED_IN: now,
                SESSION_LAST_SEEN: now,
                SESSION_TOKEN: token_fingerprint(request.cookies.get(TOKEN_COOKIE)),
            }
        )
        return None

    async def logout(self, request: Request) -> Response | None:
        user_id, session_id = _ids(request.session)
        request.session.clear()
        if user_id is not None and session_id is not None:
            request.state.studio_user_id = user_id
            await self.studio.acting(request).sign_out(session_id=session_id)
        return None

    async def authenticate(self, request: Request) -> AdminUser | None:
        user_id, session_id = _ids(request.session)
        if user_id is None or "/static/" in request.url.path:
            # Style sheets and scripts are public: no database round trip for each.
            return None
        if session_id is None or _expired(request.session, self.studio.idle_seconds):
            await self._end(request, user_id, session_id)
            return None
        request.state.studio_user_id = user_id
        acting = self.studio.acting(request)
        try:
            alive = await acting.session_alive(user_id, session_id)
            me: Any = await acting.find_me() if alive else None
        except (AuthenticationError, NotFoundError):
            me = None
        if me is None or not me.is_active or not me.is_admin:
            await self._end(request, user_id, session_id)
            return None
        now = int(time.time())
        if now - int(request.session[SESSION_LAST_SEEN]) >= LAST_SEEN_STEP:
            request.session[SESSION_LAST_SEEN] = now  # the cookie is signed again only then
        return AdminUser(username=f"{me.first_name} {me.last_name}")

    async def _end(
        self, request: Request, user_id: uuid.UUID, session_id: uuid.UUID | None
    ) -> None:
        """Forget the cookie's session, and close it in the database if it is still open."""
        request.session.clear()
        if session_id is not None:
            request.state.studio_user_id = user_id
            # An account gone or deactivated has no session left to end.
            with contextlib.suppress(AuthenticationError, NotFoundError):
                await self.studio.acting(request).sign_out(session_id=session_id)


def _expired(cookie: Any, idle_seconds: int) -> bool:
    """Idle longer than allowed, or signed in longer ago than any session may last."""
    now = time.time()
    try:
        signed_in, last_seen = float(cookie[SESSION_SIGNED_IN]), float(cookie[SESSION_LAST_SEEN])
    except (KeyError, TypeError, ValueError):
        return True
    return now - last_seen > idle_seconds or now - signed_in > SESSION_SECONDS


def _ids(cookie: Any) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    return _uuid(cookie.get(SESSION_USER)), _uuid(cookie.get(SESSION_ID))


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


__all__ = ["StudioAuth"]
