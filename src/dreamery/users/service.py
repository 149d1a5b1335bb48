"""Users and profiles: specs for the shared write path, and the user-specific operations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud
from dreamery.core.crud import Caller, EntitySpec, Ownership
from dreamery.core.errors import NotFoundError
from dreamery.core.pagination import check_limit
from dreamery.models import User, UserProfile
from dreamery.models.enums import Resource
from dreamery.users.schemas import (
    UserCreate,
    UserProfileCreate,
    UserProfileRead,
    UserProfileUpdate,
    UserRead,
    UserUpdate,
)

USERS: EntitySpec[User, UserRead] = EntitySpec(
    name="user",
    model=User,
    resource=Resource.USER,
    create_schema=UserCreate,
    update_schema=UserUpdate,
    read_schema=UserRead,
    owner=Ownership("id"),
    filters=frozenset({"role_id", "is_active", "is_admin", "email"}),
    sorts=frozenset({"created_at", "last_name", "email"}),
    guarded_fields=frozenset({"role_id", "is_active"}),
    admin_fields=frozenset({"is_admin"}),
)

PROFILES: EntitySpec[UserProfile, UserProfileRead] = EntitySpec(
    name="profile",
    model=UserProfile,
    resource=Resource.PROFILE,
    create_schema=UserProfileCreate,
    update_schema=UserProfileUpdate,
    read_schema=UserProfileRead,
    owner=Ownership("user_id"),
    filters=frozenset({"user_id", "company"}),
)


async def create_user(session: AsyncSession, caller: Caller, data: Any) -> User:
    """A user, and their profile when the input carries one, in one transaction."""
    payload = crud.parse(UserCreate, data)
    assert isinstance(payload, UserCreate)
    profile = payload.profile
    user = await crud.create(session, caller, USERS, payload.model_copy(update={"profile": None}))
    if profile is not None:
        await crud.create(
            session,
            caller,
            PROFILES,
            {**profile.model_dump(exclude_unset=True), "user_id": user.id},
        )
    return user


async def find_user_by_email(session: AsyncSession, caller: Caller, email: str) -> User:
    visible = crud._visible(USERS, caller.actor, include_deleted=False)
    user = await session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower(), *visible)
    )
    if user is None:
        raise NotFoundError(f"no user with email {email}", resource="user")
    return user


async def delete_user(session: AsyncSession, caller: Caller, user_id: Any) -> User:
    """Soft-delete the user and their profile; their audit history stays."""
    user = await crud.delete(session, caller, USERS, user_id)
    profile_id = await session.scalar(
        select(UserProfile.id).where(
            UserProfile.user_id == user.id, UserProfile.deleted_at.is_(None)
        )
    )
    if profile_id is not None:
        await crud.delete(session, caller, PROFILES, profile_id)
    return user


async def restore_user(session: AsyncSession, caller: Caller, user_id: Any) -> User:
    user = await crud.restore(session, caller, USERS, user_id)
    profile_id = await session.scalar(
        select(UserProfile.id).where(
            UserProfile.user_id == user.id, UserProfile.deleted_at.is_not(None)
        )
    )
    if profile_id is not None:
        await crud.restore(session, caller, PROFILES, profile_id)
    return user


def search_condition(query: str) -> ColumnElement[bool]:
    """Case-insensitive substring match over names, email, company and specialties."""
    needle = f"%{_escape_like(query.strip().lower())}%"
    profile_match = (
        select(literal(1))
        .where(
            UserProfile.user_id == User.id,
            or_(
                func.lower(UserProfile.company).like(needle, escape="\\"),
                func.lower(func.cast(UserProfile.specialties, _text_type())).like(
                    needle, escape="\\"
                ),
            ),
        )
        .exists()
    )
    return or_(
        func.lower(User.first_name).like(needle, escape="\\"),
        func.lower(User.last_name).like(needle, escape="\\"),
        func.lower(User.first_name + " " + User.last_name).like(needle, escape="\\"),
        func.lower(User.email).like(needle, escape="\\"),
        profile_match,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_type() -> Any:
    from sqlalchemy import Text

    return Text()


async def search_users(
    session: AsyncSession,
    caller: Caller,
    query: str,
    *,
    role_id: str | None = None,
    limit: int = 20,
) -> list[User]:
    """Users matching `query`, best first: a name starting with it, then an email starting
    with it, then any other match. Any input is answered (it is matched literally)."""
    limit = check_limit(limit)
    needle = query.strip().lower()[:200]
    if not needle:
        return []
    prefix = f"{_escape_like(needle)}%"
    rank = case(
        (
            or_(
                func.lower(User.first_name).like(prefix, escape="\\"),
                func.lower(User.last_name).like(prefix, escape="\\"),
            ),
            0,
        ),
        (func.lower(User.email).like(prefix, escape="\\"), 1),
        else_=2,
    )
    conditions = [
        *crud._visible(USERS, caller.actor, include_deleted=False),
        search_condition(needle),
    ]
    if role_id is not None:
        conditions.append(User.role_id == role_id)
    statement = (
        select(User)
        .where(*conditions)
        .order_by(rank, func.lower(User.last_name), func.lower(User.first_name), User.id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())
