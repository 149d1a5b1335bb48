"""Schemas of the professional catalogue: categories and roles."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field
from typing_extensions import TypedDict

from dreamery.core.schemas import Description, InputSchema, Name, ReadSchema, Slug, UpdateSchema

CatalogSort = Literal["sort_order", "name", "created_at"]


class CategoryFilters(TypedDict, total=False):
    is_active: bool


class RoleFilters(TypedDict, total=False):
    category_id: str
    is_active: bool


class CategoryCreate(InputSchema):
    id: Slug
    name: Name
    description: Description | None = None
    sort_order: int = Field(default=0, ge=0)
    is_active: bool = True


class CategoryUpdate(UpdateSchema):
    name: Name | None = None
    description: Description | None = None
    sort_order: int | None = Field(default=None, ge=0)
    is_active: bool | None = None


class CategoryRead(ReadSchema):
    id: str
    name: str
    description: str | None
    sort_order: int
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class RoleCreate(InputSchema):
    id: Slug
    name: Name
    description: str | None = Field(default=None, max_length=2000)
    category_id: Slug
    sort_order: int = Field(default=0, ge=0)
    is_active: bool = True


class RoleUpdate(UpdateSchema):
    name: Name | None = None
    description: str | None = Field(default=None, max_length=2000)
    category_id: Slug | None = None
    sort_order: int | None = Field(default=None, ge=0)
    is_active: bool | None = None


class RoleRead(ReadSchema):
    id: str
    name: str
    description: str | None
    category_id: str
    sort_order: int
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime
