"""Permission and role-permission schemas."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import model_validator
from typing_extensions import TypedDict

from dreamery.core.schemas import (
    Description,
    EntityRead,
    InputSchema,
    JsonObject,
    Slug,
    UpdateSchema,
)
from dreamery.models.enums import PermissionAction, PermissionScope, Resource

PermissionSort = Literal["name", "created_at"]
RolePermissionSort = Literal["created_at"]


class PermissionFilters(TypedDict, total=False):
    resource: Resource
    action: PermissionAction
    scope: PermissionScope


class RolePermissionFilters(TypedDict, total=False):
    role_id: str
    permission_id: uuid.UUID


def permission_name(resource: str, action: str, scope: str) -> str:
    return f"{resource}:{action}:{scope}"


class PermissionCreate(InputSchema):
    resource: Resource
    action: PermissionAction
    scope: PermissionScope
    description: Description | None = None
    conditions: JsonObject | None = None

    @model_validator(mode="after")
    def _approve_only_where_reviewed(self) -> PermissionCreate:
        reviewed = {Resource.DOCUMENT_INSTANCE, Resource.COMPLIANCE_RECORD}
        if self.action is PermissionAction.APPROVE and self.resource not in reviewed:
            raise ValueError(f"action 'approve' does not exist for resource '{self.resource}'")
        return self

    @property
    def name(self) -> str:
        return permission_name(self.resource, self.action, self.scope)


class PermissionUpdate(UpdateSchema):
    description: Description | None = None
    conditions: JsonObject | None = None


class PermissionRead(EntityRead):
    name: str
    resource: Resource
    action: PermissionAction
    scope: PermissionScope
    description: str | None
    conditions: dict[str, Any] | None
    version: int


class RolePermissionCreate(InputSchema):
    role_id: Slug
    permission_id: uuid.UUID


class RolePermissionRead(EntityRead):
    role_id: str
    permission_id: uuid.UUID
