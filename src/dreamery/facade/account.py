"""The facade's sign-in, passwords, run-time settings, the audit trail and health."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import text

from dreamery.audit import service as audit
from dreamery.audit.schemas import AuditLogRead
from dreamery.auth import passwords
from dreamery.auth import service as auth
from dreamery.auth.schemas import HubSettings, HubSettingsUpdate, Registration
from dreamery.core import crud
from dreamery.core.access import authorize
from dreamery.core.config import get_settings
from dreamery.core.context import PermissionAction
from dreamery.core.entities import EntityId
from dreamery.core.errors import FieldError, PermissionDeniedError, ValidationError
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.facade.users import UsersFacade
from dreamery.models import User
from dreamery.users import service as users
from dreamery.users.schemas import UserRead, UserReadFull


class AccountFacade(UsersFacade, FacadeBase):
    # --- the audit trail -------------------------------------------------------------------
    async def find_audit_logs(
        self,
        *,
        resource: str | None = None,
        resource_id: str | None = None,
        actor_id: EntityId | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> Page[AuditLogRead]:
        """The audit trail, newest first; rows the caller may not read are not listed."""
        async with self.unit(write=False) as unit:
            page = await audit.find_audit_logs(
                unit.session,
                unit.caller,
                resource=resource,
                resource_id=resource_id,
                actor_id=actor_id,
                since=since,
                cursor=cursor,
                limit=limit,
            )
            items = [audit.AUDIT_LOGS.read(row) for row in page.items]
        return Page(items, page.next_cursor, page.total, page.limit)

    async def verify_audit_trail(self) -> audit.Verdict:
        """Recompute the audit hash chain (administrators): the first bad row, if any."""
        async with self.unit(write=False) as unit:
            if not unit.caller.actor.is_privileged:
                raise PermissionDeniedError(
                    "only platform administrators verify the audit trail",
                    permission="administrator",
                    resource="audit_log",
                )
            return await audit.verify(unit.session)

    # --- sign-in ---------------------------------------------------------------------------
    async def register(self, data: Registration | Mapping[str, object]) -> UserRead:
        """A professional signs themselves up (when self-registration is open). Every error
        of the input comes in one ValidationError: its schema's, an unknown role, a weak
        password, an invitation that does not hold; an e-mail address already registered
        is a DuplicateError (409) naming `email`."""
        try:
            payload = crud.parse(Registration, data)
        except ValidationError as invalid:
            if isinstance(data, Mapping):
                failed = frozenset(e.field.split(".")[0] for e in invalid.errors)
                more = await self.registration_errors(data, skip=failed)
                raise ValidationError([*invalid.errors, *more]) from None
            raise
        weak = await passwords.password_errors(
            payload.password,
            email=str(payload.email),
            names=(payload.first_name, payload.last_name),
        )
        password_hash = None if weak else await passwords.hash_password(payload.password)
        async with self._session_unit() as session:
            user = await auth.register(session, self._request, payload, password_hash, refused=weak)
            return users.USERS.read(user)

    async def registration_errors(
        self, data: Mapping[str, object], *, skip: frozenset[str] = frozenset()
    ) -> list[FieldError]:
        """What a sign-up of raw `data` would be refused for beyond its schema: an unknown
        role, a weak password (fields in `skip`, refused already, are left alone)."""
        async with self._session_unit(write=False) as session:
            return await auth.registration_errors(session, data, skip)

    async def sign_in(self, email: str, password: str) -> auth.Session:
        """Check a password and open a session; a wrong email or password are one error."""
        user_id, stored = None, None
        if "\x00" not in email and len(email) <= 254:  # no such address can exist
            async with self._session_unit(write=False) as session:
                user = await auth.user_for_sign_in(session, email)
                if user is not None:
                    user_id = user.id
                    stored = user.password_hash if user.is_active else None
        ok, new_hash = await passwords.verify_password(stored, password)
        if not ok or user_id is None:
            raise auth.AuthenticationError(auth.WRONG_CREDENTIALS)
        async with self._session_unit() as session:
            found = await session.get(User, user_id)
            if found is None or found.deleted_at is not None or not found.is_active:
                # Removed or deactivated between the password check and now.
                raise auth.AuthenticationError(auth.WRONG_CREDENTIALS)
            return await auth.record_sign_in(
                session, self._request, found, new_hash=new_hash, settings=get_settings()
            )

    async def refresh_session(self, refresh_token: str) -> auth.Session:
        """Trade a refresh token for the next one (rotation with reuse detection)."""
        async with self._session_unit() as session:
            renewed = await auth.rotate(
                session, self._request, refresh_token, settings=get_settings()
            )
        if isinstance(renewed, auth.ReplayedRefreshToken):
            raise renewed
        if renewed is None:
            raise auth.AuthenticationError(
                "the refresh token is expired, revoked or unknown; sign in again"
            )
        return renewed

    async def sign_out(
        self,
        refresh_token: str | None = None,
        *,
        session_id: uuid.UUID | None = None,
        everywhere: bool = False,
    ) -> None:
        """End the session `session_id` and the one `refresh_token` renews (or, `everywhere`,
        every session of the acting user)."""
        user_id = self._require_user()
        async with self._session_unit() as session:
            await auth.sign_out(
                session, user_id, refresh_token, session_id=session_id, everywhere=everywhere
            )

    async def end_session(self, session_id: uuid.UUID) -> None:
        """End one of the acting user's sessions (the studio's sign-out)."""
        user_id = self._require_user()
        async with self._session_unit() as session:
            await auth.end_session(session, user_id, session_id)

    async def session_alive(self, user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
        """Whether that session of that user is still open (what each request checks)."""
        async with self._session_unit(write=False) as session:
            return await auth.session_alive(session, user_id, session_id)

    async def change_password(self, current_password: str, new_password: str) -> None:
        """The acting user's new password; every one of their sessions ends."""
        user_id = self._require_user()
        async with self._session_unit(write=False) as session:
            user = await session.get(User, user_id)
            stored = user.password_hash if user else None
            email, names = (user.email, (user.first_name, user.last_name)) if user else ("", ())
        ok, _ = await passwords.verify_password(stored, current_password)
        if not ok:
            raise ValidationError([FieldError("current_password", "is not your current password")])
        await passwords.ensure_acceptable(
            new_password, field="new_password", email=email, names=names
        )
        new_hash = await passwords.hash_password(new_password)
        async with self.unit() as unit:
            await auth.set_password(unit.session, unit.caller, user_id, new_hash)

    async def set_user_password(self, user_id: EntityId, password: str) -> None:
        """Set someone's password as an administrator (or the system): policy still applies."""
        target = uuid.UUID(str(user_id))
        async with self.unit(write=False) as unit:
            user = await crud.load(unit.session, unit.caller, users.USERS, target)
            email, names = user.email, (user.first_name, user.last_name)
        await passwords.ensure_acceptable(password, email=email, names=names)
        new_hash = await passwords.hash_password(password)
        async with self.unit() as unit:
            user = await crud.load(unit.session, unit.caller, users.USERS, target)
            await authorize(unit.session, unit.caller, users.USERS, PermissionAction.UPDATE, user)
            actor = unit.caller.actor
            if not actor.is_privileged and actor.user_id != target:
                raise PermissionDeniedError(
                    "only platform administrators set other users' passwords",
                    permission="administrator",
                    resource="user",
                )
            await auth.set_password(unit.session, unit.caller, target, new_hash)

    async def hub_settings(self) -> HubSettings:
        async with self._session_unit(write=False) as session:
            return await auth.read_settings(session)

    async def update_hub_settings(
        self, data: HubSettingsUpdate | Mapping[str, object]
    ) -> HubSettings:
        payload = crud.parse(HubSettingsUpdate, data)
        changes = payload.model_dump(exclude_unset=True, exclude_none=True)
        async with self.unit() as unit:
            return await auth.write_settings(unit.session, unit.caller, changes)

    async def find_me(self) -> UserReadFull:
        """The acting user with profile and role."""
        user_id = self._require_user()
        page = await self.find_users(id=user_id, include=("profile", "role"), limit=1)
        if not page.items:
            raise auth.AuthenticationError("your account is gone; sign in again")
        me = page.items[0]
        assert isinstance(me, UserReadFull)
        return me

    def _require_user(self) -> uuid.UUID:
        if self._actor_id is None:
            raise auth.AuthenticationError("sign in first")
        return self._actor_id

    # --- health ----------------------------------------------------------------------------
    async def health_check(self) -> dict[str, str | float]:
        """Whether the database answers, and how fast (milliseconds)."""
        started = time.perf_counter()
        try:
            async with self._sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception as error:  # health checks report, they do not raise
            return {
                "status": "unhealthy",
                "database": self.engine.dialect.name,
                "error": f"{type(error).__name__}: {error}",
            }
        return {
            "status": "healthy",
            "database": self.engine.dialect.name,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        }
