"""The professional catalogue over HTTP: readable without signing in, changed by
administrators (`POST`, `PATCH` and `DELETE` on `/api/v1/categories` and `/api/v1/roles`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from dreamery.catalog.schemas import CategoryRead, RoleRead
from dreamery.catalog.service import CATEGORIES, ROLES
from dreamery.core import crud
from dreamery.core.entities import Crud
from dreamery.core.http import RESPONSES, Public, mount_entity
from dreamery.core.pagination import MAX_LIMIT

router = APIRouter(tags=[CATEGORIES.group])
CatalogId = Annotated[str, Path(max_length=100)]


@router.get("/categories", response_model=list[CategoryRead], summary="The 18 categories")
async def list_categories(unit: Public) -> Any:
    return (await crud.find(unit.session, unit.caller, CATEGORIES, limit=MAX_LIMIT)).items


@router.get("/categories/{category_id}", response_model=CategoryRead, responses=RESPONSES(404))
async def get_category(category_id: CatalogId, unit: Public) -> Any:
    return await crud.load(unit.session, unit.caller, CATEGORIES, category_id)


@router.get("/roles", response_model=list[RoleRead], summary="The professional roles")
async def list_roles(
    unit: Public, category_id: Annotated[str | None, Query(max_length=100)] = None
) -> Any:
    roles: list[Any] = []
    cursor = None
    while True:
        page = await crud.find(
            unit.session,
            unit.caller,
            ROLES,
            filters={"category_id": category_id},
            limit=MAX_LIMIT,
            cursor=cursor,
        )
        roles += page.items
        if page.next_cursor is None:
            return roles
        cursor = page.next_cursor


@router.get("/roles/{role_id}", response_model=RoleRead, responses=RESPONSES(404))
async def get_role(role_id: CatalogId, unit: Public) -> Any:
    return await crud.load(unit.session, unit.caller, ROLES, role_id)


ADMINISTERED = frozenset({Crud.CREATE, Crud.UPDATE, Crud.DELETE})
mount_entity(router, CATEGORIES, only=ADMINISTERED)
mount_entity(router, ROLES, only=ADMINISTERED)
