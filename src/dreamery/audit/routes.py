"""The audit trail over HTTP: read-only, for administrators and auditors."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from dreamery.audit import service
from dreamery.audit.schemas import AuditLogRead
from dreamery.core.http import RESPONSES, SignedIn, page_body, page_model
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from dreamery.core.schemas import AwareDatetime

router = APIRouter(tags=[service.AUDIT_LOGS.group])


@router.get(
    "/audit-logs",
    response_model=page_model(AuditLogRead),
    summary="The audit trail (administrators and auditors)",
    responses=RESPONSES(400, 401, 403, 422),
)
async def list_audit_logs(
    unit: SignedIn,
    resource: Annotated[str | None, Query(max_length=100)] = None,
    resource_id: Annotated[str | None, Query(max_length=100)] = None,
    actor_id: uuid.UUID | None = None,
    since: AwareDatetime | None = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Any:
    """Newest first; rows you may not read are not listed."""
    page = await service.find_audit_logs(
        unit.session,
        unit.caller,
        resource=resource,
        resource_id=resource_id,
        actor_id=actor_id,
        since=since,
        cursor=cursor,
        limit=limit,
    )
    return page_body(page)
