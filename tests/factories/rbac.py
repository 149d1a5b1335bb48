"""Permissions and the roles that hold them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import Permission, RolePermission
from dreamery.models.enums import PermissionAction, PermissionScope, Resource
from tests.factories.base import add
from tests.factories.catalog import role


async def permission(session: AsyncSession, **fields: Any) -> Permission:
    values = {
        "name": "audit_log:read:own-test",
        "resource": Resource.AUDIT_LOG,
        "action": PermissionAction.DELETE,
        "scope": PermissionScope.OWN,
    } | fields
    return await add(session, Permission(**values))


async def role_permission(session: AsyncSession, **fields: Any) -> RolePermission:
    if "role_id" not in fields:
        fields["role_id"] = (await role(session)).id
    if "permission_id" not in fields:
        fields["permission_id"] = (await permission(session)).id
    return await add(session, RolePermission(**fields))
