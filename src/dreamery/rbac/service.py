"""Permissions, role grants, and turning a user into an `Actor` with their role's rights."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core.context import Actor
from dreamery.core.crud import EntitySpec
from dreamery.core.errors import AuthenticationError
from dreamery.models import Permission, RolePermission, User
from dreamery.models.enums import Resource
from dreamery.rbac.cache import PermissionCache
from dreamery.rbac.schemas import (
    PermissionCreate,
    PermissionRead,
    PermissionUpdate,
    RolePermissionCreate,
    RolePermissionRead,
)

PERMISSIONS: EntitySpec[Permission, PermissionRead] = EntitySpec(
    name="permission",
    model=Permission,
    resource=Resource.PERMISSION,
    create_schema=PermissionCreate,
    update_schema=PermissionUpdate,
    read_schema=PermissionRead,
    filters=frozenset({"resource", "action", "scope"}),
    sorts=frozenset({"name", "created_at"}),
    default_sort="name",
    descending=False,
)

ROLE_PERMISSIONS: EntitySpec[RolePermission, RolePermissionRead] = EntitySpec(
    name="role_permission",
    model=RolePermission,
    resource=Resource.ROLE_PERMISSION,
    create_schema=RolePermissionCreate,
    update_schema=RolePermissionCreate,
    read_schema=RolePermissionRead,
    filters=frozenset({"role_id", "permission_id"}),
)


async def role_permissions(
    session: AsyncSession, role_id: str, cache: PermissionCache | None = None
) -> frozenset[str]:
    if cache is not None and (hit := await cache.get(role_id)) is not None:
        return hit
    names = await session.scalars(
        select(Permission.name).join(RolePermission).where(RolePermission.role_id == role_id)
    )
    value = frozenset(names)
    return await cache.put(role_id, value) if cache is not None else value


async def actor_for(
    session: AsyncSession, user_id: uuid.UUID, cache: PermissionCache | None = None
) -> Actor:
    """The actor a user acts as: their role's permissions, or everything for an admin."""
    user = (
        await session.execute(
            select(User.id, User.role_id, User.is_admin).where(
                User.id == user_id, User.deleted_at.is_(None), User.is_active
            )
        )
    ).first()
    if user is None:
        raise AuthenticationError(f"user {user_id} is not an active user; sign in again")
    permissions = await role_permissions(session, user.role_id, cache)
    return Actor(
        user_id=user.id, role_id=user.role_id, is_admin=user.is_admin, permissions=permissions
    )
