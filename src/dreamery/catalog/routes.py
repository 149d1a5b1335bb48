"""The professional catalogue over HTTP: readable without signing in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from dreamery.api.problems import RESPONSES
from dreamery.catalog.schemas import CategoryRead, RoleRead

router = APIRouter(tags=["catalogue"])


@router.get("/categories", response_model=list[CategoryRead], summary="The 18 categories")
async def list_categories(request: Request) -> Any:
    return (await request.app.state.db.find_categories(limit=100)).items


@router.get("/categories/{category_id}", response_model=CategoryRead, responses=RESPONSES(404))
async def get_category(category_id: str, request: Request) -> Any:
    return await request.app.state.db.find_category_by_id(category_id)


@router.get("/roles", response_model=list[RoleRead], summary="The professional roles")
async def list_roles(
    request: Request,
    category_id: Annotated[str | None, Query(max_length=100)] = None,
) -> Any:
    db = request.app.state.db
    roles: list[Any] = []
    cursor = None
    while True:
        page = await db.find_roles(category_id=category_id, limit=100, cursor=cursor)
        roles += page.items
        if page.next_cursor is None:
            return roles
        cursor = page.next_cursor


@router.get("/roles/{role_id}", response_model=RoleRead, responses=RESPONSES(404))
async def get_role(role_id: str, request: Request) -> Any:
    return await request.app.state.db.find_role_by_id(role_id)
