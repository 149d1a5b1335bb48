"""Audit-log schemas: rows are written by the service layer only, and read by auditors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from typing_extensions import TypedDict

from dreamery.core.schemas import EntityRead
from dreamery.models.enums import AuditAction

AuditLogSort = Literal["seq", "timestamp"]


class AuditLogFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    resource: str
    resource_id: str
    user_id: uuid.UUID
    actor: str
    action: AuditAction


class AuditLogRead(EntityRead):
    organization_id: uuid.UUID | None
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
