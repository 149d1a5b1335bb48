"""The facade's people: users (with their profile and role on request) and profiles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Unpack

from sqlalchemy.orm import selectinload

from dreamery.core.entities import EntityId
from dreamery.core.errors import FieldError, ValidationError
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.models import User
from dreamery.users import service as users
from dreamery.users.schemas import (
    ProfileFilters,
    ProfileSort,
    UserCreate,
    UserFilters,
    UserProfileRead,
    UserProfileUpdate,
    UserRead,
    UserReadFull,
    UserReadWithProfile,
    UserReadWithRole,
    UserSort,
    UserUpdate,
)

Relation = Literal["profile", "role"]
_LOADERS = {"profile": selectinload(User.profile), "role": selectinload(User.role)}


def _with(include: Sequence[str]) -> type[UserRead]:
    unknown = set(include) - set(_LOADERS)
    if unknown:
        raise ValidationError(
            [
                FieldError(
                    "include",
                    f"unknown relation(s) {sorted(unknown)}; choose from {sorted(_LOADERS)}",
                )
            ]
        )
    wanted = frozenset(include)
    if wanted == {"profile", "role"}:
        return UserReadFull
    if wanted == {"profile"}:
        return UserReadWithProfile
    if wanted == {"role"}:
        return UserReadWithRole
    return UserRead


class UsersFacade(FacadeBase):
    async def create_user(self, data: UserCreate | Mapping[str, object]) -> UserRead:
        """A user, and their profile when `data` carries one."""
        return await self.create(users.USERS, data)

    async def find_user_by_id(
        self, user_id: EntityId, *, include_deleted: bool = False
    ) -> UserRead:
        return await self.get(users.USERS, user_id, include_deleted=include_deleted)

    async def find_users(
        self,
        *,
        include: Sequence[Relation] = (),
        sort: UserSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[UserFilters],
    ) -> Page[UserRead]:
        """Users, newest first; `include=("profile", "role")` loads those in two more
        statements, whatever the page size (the items are then `UserReadFull`)."""
        schema = _with(include)
        return await self._find_as(
            users.USERS,
            schema,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
            options=[_LOADERS[name] for name in include],
        )

    async def find_user_by_email(self, email: str) -> UserRead:
        return await self._read(
            users.USERS,
            lambda session, caller: users.find_user_by_email(session, caller, email),
        )

    async def search_users(
        self, query: str, role_id: str | None = None, limit: int = 20
    ) -> list[UserRead]:
        """Users matching `query` (names, email, company, specialties), best first."""
        filters: UserFilters = {"role_id": role_id} if role_id is not None else {}
        return await self.search(users.USERS, query, filters=filters, limit=limit)

    async def update_user(
        self,
        user_id: EntityId,
        data: UserUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> UserRead:
        return await self.update(users.USERS, user_id, data, expected_version=expected_version)

    async def verify_role(
        self, user_id: EntityId, *, expected_version: int | None = None
    ) -> UserRead:
        """Verify the role (and license) a user claimed at sign-up: an administrator of
        their organization, or of the platform."""
        return await self.perform(
            users.USERS, users.verify_role, user_id, {"version": expected_version}
        )

    async def delete_user(
        self, user_id: EntityId, *, expected_version: int | None = None
    ) -> UserRead:
        """Soft-delete the user and their profile; their audit history stays."""
        return await self.delete(users.USERS, user_id, expected_version=expected_version)

    async def restore_user(self, user_id: EntityId) -> UserRead:
        return await self.restore(users.USERS, user_id)

    async def purge_user(self, user_id: EntityId) -> None:
        await self.purge(users.USERS, user_id)

    async def find_profile_by_id(
        self, profile_id: EntityId, *, include_deleted: bool = False
    ) -> UserProfileRead:
        return await self.get(users.PROFILES, profile_id, include_deleted=include_deleted)

    async def find_profiles(
        self,
        *,
        sort: ProfileSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[ProfileFilters],
    ) -> Page[UserProfileRead]:
        return await self.find(
            users.PROFILES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def update_profile(
        self,
        profile_id: EntityId,
        data: UserProfileUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> UserProfileRead:
        return await self.update(
            users.PROFILES, profile_id, data, expected_version=expected_version
        )

    async def delete_profile(
        self, profile_id: EntityId, *, expected_version: int | None = None
    ) -> UserProfileRead:
        return await self.delete(users.PROFILES, profile_id, expected_version=expected_version)

    async def restore_profile(self, profile_id: EntityId) -> UserProfileRead:
        return await self.restore(users.PROFILES, profile_id)

    async def purge_profile(self, profile_id: EntityId) -> None:
        await self.purge(users.PROFILES, profile_id)
