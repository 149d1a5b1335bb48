"""The audit trail as a read-only entity for `find_audit_logs`."""

from __future__ import annotations

from dreamery.audit.schemas import AuditLogCreate, AuditLogRead
from dreamery.core.crud import EntitySpec
from dreamery.models import AuditLog
from dreamery.models.enums import Resource

AUDIT_LOGS: EntitySpec[AuditLog, AuditLogRead] = EntitySpec(
    name="audit_log",
    model=AuditLog,
    resource=Resource.AUDIT_LOG,
    create_schema=AuditLogCreate,
    update_schema=AuditLogCreate,
    read_schema=AuditLogRead,
    filters=frozenset({"resource", "resource_id", "user_id", "actor", "action"}),
    sorts=frozenset({"seq", "timestamp"}),
    default_sort="seq",
)
