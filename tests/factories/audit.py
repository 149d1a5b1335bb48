"""Audit rows, appended to the chain as the service layer appends them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.audit import service as audit_service
from dreamery.core.context import Actor, RequestContext
from dreamery.models import AuditLog
from dreamery.models.enums import AuditAction


async def audit(session: AsyncSession, **fields: Any) -> AuditLog:
    return await audit_service.record(
        session,
        actor=Actor(user_id=fields.get("user_id"), organization_id=fields.get("organization_id")),
        request=RequestContext(),
        action=fields.get("action", AuditAction.UPDATE),
        resource=fields.get("resource", "user"),
        resource_id=fields.get("resource_id", "x"),
    )
