"""Sign-in against the database: accounts, passwords and refresh-token sessions.

Each function runs in the caller's unit of work; the facade (`DatabaseService`) opens it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.audit import service as audit
from dreamery.auth import passwords, tokens
from dreamery.auth.schemas import HubSettings, Registration
from dreamery.core import emails
from dreamery.core.config import Settings, get_settings
from dreamery.core.context import SYSTEM_ACTOR, Actor, Caller, RequestContext
from dreamery.core.errors import (
    AuthenticationError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from dreamery.core.types import utcnow
from dreamery.models import HubSetting, RefreshToken, User, UserRole
from dreamery.models.enums import AuditAction
from dreamery.organizations import members
from dreamery.users import service as users


@dataclass(frozen=True)
class Session:
    """A signed-in user, their session (`session_id`, which every access token of it names)
    and the refresh token that renews it."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    refresh_token: str
    refresh_expires_in: int


WRONG_CREDENTIALS = "wrong email or password"

__all__ = ["WRONG_CREDENTIALS", "AuthenticationError", "ReplayedRefreshToken", "Session"]


async def register(
    session: AsyncSession,
    request: RequestContext,
    data: Registration,
    password_hash: str | None,
    *,
    refused: Sequence[FieldError] = (),
) -> User:
    """A new professional account; the role must be one of the catalogue's active roles.

    `refused`: what the caller found wrong already (the password); the answer lists it with
    what is wrong here (the role, the invitation), in one ValidationError.
    """
    if not await self_registration_open(session):
        raise PermissionDeniedError(
            "self-registration is turned off; ask an administrator for an account",
            resource="user",
            action="register",
        )
    errors = [*refused, *await role_errors(session, data.role_id)]
    caller = Caller(SYSTEM_ACTOR, request)
    joining = None
    invitation = None
    if data.invitation is not None:
        try:
            invitation = await members.open_invitation(session, data.invitation, data.email)
        except (NotFoundError, PermissionDeniedError) as error:
            # At sign-up the invitation is one more field of the form.
            errors.append(FieldError("invitation", str(error), "invitation"))
    if errors or password_hash is None:
        raise ValidationError(errors or [FieldError("password", "is required")])
    if invitation is not None:
        joining = users.Joining(
            invitation.organization_id, invitation.org_role, invitation.invited_by
        )
    payload = data.model_dump(exclude={"password", "invitation"}, exclude_unset=True)
    # The role is the user's claim: it grants nothing until it is verified.
    user = await users.create_user(session, caller, payload, joining=joining, claimed=True)
    await session.execute(
        update(User).where(User.id == user.id).values(password_hash=password_hash)
    )
    if invitation is not None:
        await members.mark_accepted(session, caller, invitation, user.id)
    return user


async def role_errors(session: AsyncSession, role_id: str) -> list[FieldError]:
    """An unknown (or retired) role of the catalogue, named as sent."""
    role = await session.get(UserRole, role_id)
    if role is None or not role.is_active:
        return [FieldError("role_id", f"no role {role_id!r}", "missing_reference")]
    return []


async def registration_errors(
    session: AsyncSession, data: Mapping[str, Any], skip: frozenset[str] = frozenset()
) -> list[FieldError]:
    """What a sign-up of raw `data` would be refused for beyond its schema: an unknown role,
    a password too easy to guess. Fields in `skip` (refused already) are not looked at."""
    errors: list[FieldError] = []
    role_id = data.get("role_id")
    if isinstance(role_id, str) and "role_id" not in skip:
        errors += await role_errors(session, role_id)
    password = data.get("password")
    if isinstance(password, str) and "password" not in skip:
        errors += await passwords.password_errors(
            password, email=_text(data.get("email")), names=_names(data)
        )
    return errors


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _names(data: Mapping[str, Any]) -> tuple[str | None, ...]:
    return (_text(data.get("first_name")), _text(data.get("last_name")))


async def self_registration_open(session: AsyncSession) -> bool:
    """The administrators' choice if they made one, else the SELF_REGISTRATION setting."""
    row = await session.get(HubSetting, "self_registration")
    return bool(row.value) if row is not None else get_settings().self_registration


async def read_settings(session: AsyncSession) -> HubSettings:
    return HubSettings(self_registration=await self_registration_open(session))


async def write_settings(
    session: AsyncSession, caller: Caller, changes: dict[str, Any]
) -> HubSettings:
    """Change run-time settings: administrators only, audited old -> new."""
    if not caller.actor.is_privileged:
        raise PermissionDeniedError(
            "only platform administrators change hub settings",
            permission="administrator",
            resource="settings",
            action="update",
        )
    before = await read_settings(session)
    for key, value in changes.items():
        row = await session.get(HubSetting, key)
        if row is None:
            session.add(HubSetting(key=key, value=value))
        else:
            row.value = value
    await session.flush()
    after = await read_settings(session)
    await audit.record(
        session,
        actor=caller.actor,
        request=caller.request,
        action=AuditAction.UPDATE,
        resource="settings",
        resource_id="hub",
        changes={key: [getattr(before, key), getattr(after, key)] for key in changes},
    )
    return after


async def user_for_sign_in(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(
        select(User).where(
            func.lower(User.email) == func.lower(emails.lookup_form(email)),
            User.deleted_at.is_(None),
        )
    )


async def record_sign_in(
    session: AsyncSession,
    request: RequestContext,
    user: User,
    *,
    new_hash: str | None,
    settings: Settings,
) -> Session:
    """After a good password: note the time, upgrade the hash, open a refresh session."""
    values: dict[str, Any] = {"last_login_at": utcnow()}
    if new_hash is not None:
        values["password_hash"] = new_hash
    # A Core UPDATE: signing in is not an edit and must not bump the row's version.
    await session.execute(update(User).where(User.id == user.id).values(**values))
    await audit.record(
        session,
        actor=Actor(user_id=user.id),
        request=request,
        action=AuditAction.LOGIN,
        resource="user",
        resource_id=str(user.id),
        changes={"rehashed": True} if new_hash else None,
    )
    return await open_session(session, request, user.id, settings=settings)


async def open_session(
    session: AsyncSession,
    request: RequestContext,
    user_id: uuid.UUID,
    *,
    settings: Settings,
    family_id: uuid.UUID | None = None,
) -> Session:
    token, token_hash = tokens.new_refresh_token()
    lifetime = timedelta(days=settings.refresh_token_days)
    family_id = family_id or uuid.uuid4()
    session.add(
        RefreshToken(
            user_id=user_id,
            family_id=family_id,
            token_hash=token_hash,
            expires_at=utcnow() + lifetime,
            ip_address=request.ip_address,
            user_agent=request.user_agent[:500] if request.user_agent else None,
        )
    )
    await session.flush()
    return Session(user_id, family_id, token, int(lifetime.total_seconds()))


class ReplayedRefreshToken(AuthenticationError):
    """A used refresh token came back: it was copied, and its session has been ended."""

    def __init__(self, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
        super().__init__("the refresh token is expired, revoked or unknown; sign in again")
        self.user_id = user_id
        self.session_id = session_id


async def rotate(
    session: AsyncSession, request: RequestContext, token: str, *, settings: Settings
) -> Session | ReplayedRefreshToken | None:
    """Use `token` up and issue the next one of its session.

    The token is claimed with one conditional UPDATE, so two concurrent refreshes with the
    same token cannot both succeed. A token presented after it was used means it was copied:
    the whole session is revoked, and the answer says so (to be raised once the revocation
    is committed). Returns None when the token cannot be used otherwise.

    The user is locked first (`_lock_user`), as every revocation does, so that a sign-out
    or a password change waiting for this refresh sees the token it issues, and revokes it.
    """
    token_hash = tokens.hash_refresh_token(token)
    owner = await session.scalar(
        select(RefreshToken.user_id).where(RefreshToken.token_hash == token_hash)
    )
    if owner is None:
        return None
    await _lock_user(session, owner)
    now = utcnow()
    claimed = (
        await session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.token_hash == token_hash,
                RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(RefreshToken.user_id, RefreshToken.family_id)
        )
    ).first()
    if claimed is None:
        reused = await session.scalar(
            select(RefreshToken).where(
                RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_not(None)
            )
        )
        if reused is not None:
            await _revoke(session, reused.user_id, RefreshToken.family_id == reused.family_id)
            await audit.record(
                session,
                actor=Actor(user_id=reused.user_id),
                request=request,
                action=AuditAction.DENIED,
                resource="session",
                resource_id=str(reused.family_id),
                changes={"reason": "a used refresh token was presented again; session revoked"},
            )
            return ReplayedRefreshToken(reused.user_id, reused.family_id)
        return None
    user_id, family_id = claimed
    active = await session.scalar(
        select(User.id).where(User.id == user_id, User.deleted_at.is_(None), User.is_active)
    )
    if active is None:
        return None
    return await open_session(session, request, user_id, settings=settings, family_id=family_id)


async def sign_out(
    session: AsyncSession,
    user_id: uuid.UUID,
    token: str | None,
    *,
    session_id: uuid.UUID | None = None,
    everywhere: bool = False,
) -> None:
    """End the session `session_id` and the one `token` renews (or, `everywhere`, every
    session of the user). A token of someone else's session ends nothing."""
    if everywhere:
        await revoke_all(session, user_id)
        return
    if session_id is not None:
        await end_session(session, user_id, session_id)
    if token is not None:
        family = await session.scalar(
            select(RefreshToken.family_id).where(
                RefreshToken.token_hash == tokens.hash_refresh_token(token),
                RefreshToken.user_id == user_id,
            )
        )
        if family is not None:
            await end_session(session, user_id, family)


async def end_session(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """End one of the user's sessions (a studio sign-out: it holds no refresh token)."""
    await _revoke(
        session,
        user_id,
        (RefreshToken.family_id == session_id) & (RefreshToken.user_id == user_id),
    )


async def session_alive(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
    """Whether the user's session is still open: not signed out (here or everywhere), not
    ended by a password change or a replayed refresh token, not expired, and its account
    neither deactivated nor deleted."""
    found = await session.scalar(
        select(RefreshToken.id)
        .join(User, User.id == RefreshToken.user_id)
        .where(
            RefreshToken.family_id == session_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > utcnow(),
            User.is_active.is_(True),
            User.deleted_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


async def revoke_all(session: AsyncSession, user_id: uuid.UUID) -> None:
    await _revoke(session, user_id, RefreshToken.user_id == user_id)


async def _lock_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Take the user's row lock until the transaction ends: what issues and what revokes
    the user's refresh tokens take their turns. Otherwise, in PostgreSQL's READ COMMITTED,
    a revocation that waited for a refresh would not see the token the refresh inserted,
    and that session would outlive its sign-out. (SQLite has one writer at a time anyway.)"""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())


async def _revoke(session: AsyncSession, user_id: uuid.UUID, condition: Any) -> None:
    """Revoke the user's refresh tokens that match `condition`."""
    await _lock_user(session, user_id)
    await session.execute(
        update(RefreshToken)
        .where(condition, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def set_password(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, password_hash: str
) -> None:
    """Store a new password hash, end every session of the user, and audit it (redacted)."""
    await session.execute(
        update(User).where(User.id == user_id).values(password_hash=password_hash)
    )
    await revoke_all(session, user_id)
    await audit.record(
        session,
        actor=caller.actor,
        request=caller.request,
        action=AuditAction.UPDATE,
        resource="user",
        resource_id=str(user_id),
        changes={"password_hash": ["[redacted]", "[redacted]"], "sessions": "revoked"},
    )
