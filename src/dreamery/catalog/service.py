"""Catalogue specs: categories and roles (administered, readable by every professional)."""

from __future__ import annotations

from typing import get_args

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
from dreamery.core.entities import EntitySpec
from dreamery.models import ProfessionalCategory, UserRole
from dreamery.models.enums import Resource
from dreamery.rbac.cache import invalidate_on_commit

CATEGORIES: EntitySpec[ProfessionalCategory, CategoryRead] = EntitySpec(
    name="category",
    model=ProfessionalCategory,
    resource=Resource.CATEGORY,
    create_schema=CategoryCreate,
    update_schema=CategoryUpdate,
    read_schema=CategoryRead,
    filters=CategoryFilters,
    sorts=frozenset(get_args(CatalogSort)),
    default_sort="sort_order",
    descending=False,
    plural="categories",
    group="Catalogue",
    row_label=lambda category: category.name,
    list_columns=(
        "name",
        "id",
        "sort_order",
        "is_active",
    ),
)

ROLES: EntitySpec[UserRole, RoleRead] = EntitySpec(
    name="role",
    model=UserRole,
    resource=Resource.ROLE,
    create_schema=RoleCreate,
    update_schema=RoleUpdate,
    read_schema=RoleRead,
    filters=RoleFilters,
    sorts=frozenset(get_args(CatalogSort)),
    default_sort="sort_order",
    descending=False,
    # A role's grants go with it: the permission cache must not outlive a change of roles.
    after_write=invalidate_on_commit,
    group="Catalogue",
    row_label=lambda role: role.name,
    list_columns=(
        "name",
        "id",
        "category_id",
        "sort_order",
        "is_active",
    ),
)
