"""Permissions, role grants, and turning a user into an `Actor` with their role's rights."""

from __future__ import annotations

import uuid
from typing import get_args

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.catalog.data import default_catalog
from dreamery.core.context import Actor
from dreamery.core.entities import Crud, EntitySpec
from dreamery.core.errors import AuthenticationError
from dreamery.models import Membership, Organization, Permission, RolePermission, User
from dreamery.models.enums import MembershipStatus, Resource
from dreamery.rbac.cache import PermissionCache, invalidate_on_commit
from dreamery.rbac.schemas import (
    PermissionCreate,
    PermissionFilters,
    PermissionRead,
    PermissionSort,
    PermissionUpdate,
    RolePermissionCreate,
    RolePermissionFilters,
    RolePermissionRead,
    RolePermissionSort,
)

PERMISSIONS: EntitySpec[Permission, PermissionRead] = EntitySpec(
    name="permission",
    model=Permission,
    resource=Resource.PERMISSION,
    create_schema=PermissionCreate,
    update_schema=PermissionUpdate,
    read_schema=PermissionRead,
    filters=PermissionFilters,
    sorts=frozenset(get_args(PermissionSort)),
    default_sort="name",
    descending=False,
    after_write=invalidate_on_commit,
    group="Access control",
    row_label=lambda permission: permission.name,
    list_columns=(
        "name",
        "resource",
        "action",
        "scope",
    ),
)

ROLE_PERMISSIONS: EntitySpec[RolePermission, RolePermissionRead] = EntitySpec(
    name="role_permission",
    model=RolePermission,
    resource=Resource.ROLE_PERMISSION,
    create_schema=RolePermissionCreate,
    read_schema=RolePermissionRead,
    filters=RolePermissionFilters,
    sorts=frozenset(get_args(RolePermissionSort)),
    after_write=invalidate_on_commit,
    offers=frozenset({Crud.LIST, Crud.GET, Crud.CREATE, Crud.DELETE}),
    group="Access control",
    list_columns=(
        "role_id",
        "permission_id",
        "created_at",
    ),
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
    """The actor a user acts as: their role's permissions (once the role is verified; until
    then what every professional holds) plus their standing in their organization's, or
    everything for an administrator."""
    user = (
        await session.execute(
            select(
                User.id,
                User.role_id,
                User.is_admin,
                User.organization_id,
                User.role_verified_at,
                Membership.org_role,
                Organization.verified_at.label("organization_verified_at"),
            )
            .join(Organization, Organization.id == User.organization_id)
            .outerjoin(
                Membership,
                and_(
                    Membership.user_id == User.id,
                    Membership.organization_id == User.organization_id,
                    Membership.status == MembershipStatus.ACTIVE,
                ),
            )
            .where(User.id == user_id, User.deleted_at.is_(None), User.is_active)
        )
    ).first()
    if user is None:
        raise AuthenticationError(f"user {user_id} is not an active user; sign in again")
    catalog = default_catalog()
    if user.role_verified_at is not None:
        permissions = await role_permissions(session, user.role_id, cache)
    else:
        permissions = catalog.everyones()  # a claimed role grants nothing yet
    if user.org_role is not None:
        standing = catalog.org_role_grants(user.org_role)
        if user.organization_verified_at is None:
            # A claimed brokerage is not a brokerage: its reviewers review nothing yet.
            standing = frozenset(name for name in standing if ":approve:" not in name)
        permissions = permissions | standing
    return Actor(
        user_id=user.id,
        role_id=user.role_id,
        is_admin=user.is_admin,
        permissions=permissions,
        organization_id=user.organization_id,
        org_role=user.org_role,
    )
