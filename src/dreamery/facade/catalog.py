"""The facade's catalogue and access control: categories, roles, permissions, grants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

from dreamery.catalog.schemas import (
    CatalogSort,
    CategoryCreate,
    CategoryFilters,
    CategoryRead,
    CategoryUpdate,
    RoleCreate,
    RoleFilters,
    RoleRead,
    RoleUpdate,
)
from dreamery.catalog.service import CATEGORIES, ROLES
from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from dreamery.facade.base import FacadeBase
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
from dreamery.rbac.service import PERMISSIONS, ROLE_PERMISSIONS


class CatalogFacade(FacadeBase):
    async def create_category(self, data: CategoryCreate | Mapping[str, object]) -> CategoryRead:
        return await self.create(CATEGORIES, data)

    async def find_category_by_id(self, category_id: str) -> CategoryRead:
        return await self.get(CATEGORIES, category_id)

    async def find_categories(
        self,
        *,
        sort: CatalogSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[CategoryFilters],
    ) -> Page[CategoryRead]:
        return await self.find(
            CATEGORIES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_category(
        self,
        category_id: str,
        data: CategoryUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> CategoryRead:
        return await self.update(CATEGORIES, category_id, data, expected_version=expected_version)

    async def delete_category(
        self, category_id: str, *, expected_version: int | None = None
    ) -> CategoryRead:
        return await self.delete(CATEGORIES, category_id, expected_version=expected_version)

    async def create_role(self, data: RoleCreate | Mapping[str, object]) -> RoleRead:
        return await self.create(ROLES, data)

    async def find_role_by_id(self, role_id: str) -> RoleRead:
        return await self.get(ROLES, role_id)

    async def find_roles(
        self,
        *,
        sort: CatalogSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[RoleFilters],
    ) -> Page[RoleRead]:
        return await self.find(
            ROLES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def find_roles_by_category(self, category_id: str) -> list[RoleRead]:
        return (await self.find_roles(category_id=category_id, limit=MAX_LIMIT)).items

    async def update_role(
        self,
        role_id: str,
        data: RoleUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> RoleRead:
        return await self.update(ROLES, role_id, data, expected_version=expected_version)

    async def delete_role(self, role_id: str, *, expected_version: int | None = None) -> RoleRead:
        return await self.delete(ROLES, role_id, expected_version=expected_version)

    async def create_permission(
        self, data: PermissionCreate | Mapping[str, object]
    ) -> PermissionRead:
        return await self.create(PERMISSIONS, data)

    async def find_permission_by_id(self, permission_id: EntityId) -> PermissionRead:
        return await self.get(PERMISSIONS, permission_id)

    async def find_permissions(
        self,
        *,
        sort: PermissionSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[PermissionFilters],
    ) -> Page[PermissionRead]:
        return await self.find(
            PERMISSIONS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_permission(
        self,
        permission_id: EntityId,
        data: PermissionUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> PermissionRead:
        return await self.update(
            PERMISSIONS, permission_id, data, expected_version=expected_version
        )

    async def delete_permission(
        self, permission_id: EntityId, *, expected_version: int | None = None
    ) -> PermissionRead:
        return await self.delete(PERMISSIONS, permission_id, expected_version=expected_version)

    async def create_role_permission(
        self, data: RolePermissionCreate | Mapping[str, object]
    ) -> RolePermissionRead:
        """Grant a permission to a role; every process sees it once it has committed."""
        return await self.create(ROLE_PERMISSIONS, data)

    async def find_role_permission_by_id(self, grant_id: EntityId) -> RolePermissionRead:
        return await self.get(ROLE_PERMISSIONS, grant_id)

    async def find_role_permissions(
        self,
        *,
        sort: RolePermissionSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[RolePermissionFilters],
    ) -> Page[RolePermissionRead]:
        return await self.find(
            ROLE_PERMISSIONS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def delete_role_permission(
        self, grant_id: EntityId, *, expected_version: int | None = None
    ) -> RolePermissionRead:
        return await self.delete(ROLE_PERMISSIONS, grant_id, expected_version=expected_version)
