"""Catalogue specs: categories and roles (administered, readable by every professional)."""

from __future__ import annotations

from dreamery.catalog.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    RoleCreate,
    RoleRead,
    RoleUpdate,
)
from dreamery.core.crud import EntitySpec
from dreamery.models import ProfessionalCategory, UserRole
from dreamery.models.enums import Resource

CATEGORIES: EntitySpec[ProfessionalCategory, CategoryRead] = EntitySpec(
    name="category",
    model=ProfessionalCategory,
    resource=Resource.CATEGORY,
    create_schema=CategoryCreate,
    update_schema=CategoryUpdate,
    read_schema=CategoryRead,
    filters=frozenset({"is_active"}),
    sorts=frozenset({"sort_order", "name", "created_at"}),
    default_sort="sort_order",
    descending=False,
)

ROLES: EntitySpec[UserRole, RoleRead] = EntitySpec(
    name="role",
    model=UserRole,
    resource=Resource.ROLE,
    create_schema=RoleCreate,
    update_schema=RoleUpdate,
    read_schema=RoleRead,
    filters=frozenset({"category_id", "is_active"}),
    sorts=frozenset({"sort_order", "name", "created_at"}),
    default_sort="sort_order",
    descending=False,
)
