"""Audit-log schemas: rows are written by the service layer only, and read by auditors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import IPvAnyAddress, StringConstraints

from dreamery.core.schemas import AwareDatetime, EntityRead, InputSchema
from dreamery.models.enums import AuditAction


class AuditLogCreate(InputSchema):
    user_id: uuid.UUID | None = None
    actor: Annotated[str, StringConstraints(min_length=1, max_length=100)] = "system"
    action: AuditAction
    resource: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    resource_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    changes: dict[str, Any] | None = None
    ip_address: IPvAnyAddress | None = None
    user_agent: Annotated[str, StringConstraints(max_length=500)] | None = None
    request_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    timestamp: AwareDatetime | None = None


class AuditLogRead(EntityRead):
    user_id: uuid.UUID | None
    actor: str
    action: AuditAction
    resource: str
    resource_id: str
    changes: dict[str, Any] | None
    ip_address: str | None
    user_agent: str | None
    request_id: str | None
    timestamp: datetime
