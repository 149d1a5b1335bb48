"""Writing, reading and verifying the audit trail.

Every change the service layer makes is recorded here, in the transaction of the change: the
core's write path calls `record_change`, which this module registers with it. Every row
carries `hash = sha256(canonical content + previous row's hash)` and a gap-free `seq`, so
that altering, removing, inserting or reordering rows breaks the chain at that row. Writers
take a lock first (an advisory lock on PostgreSQL; SQLite write transactions are exclusive),
so concurrent writers still produce one linear chain.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, get_args

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.audit.schemas import AuditLogFilters, AuditLogRead, AuditLogSort
from dreamery.core import crud
from dreamery.core.context import Actor, Caller, RequestContext
from dreamery.core.entities import Crud, EntitySpec, Tenancy, audit_names
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.core.types import utcnow
from dreamery.models import AuditLog
from dreamery.models.enums import AuditAction, Resource

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x5D1A_0D17  # pg_advisory_xact_lock key that serialises audit writers
REDACTED = "***"
SECRET_FIELDS = frozenset({"password_hash", "password", "secret", "token"})

AUDIT_LOGS: EntitySpec[AuditLog, AuditLogRead] = EntitySpec(
    name="audit_log",
    model=AuditLog,
    resource=Resource.AUDIT_LOG,
    read_schema=AuditLogRead,
    filters=AuditLogFilters,
    sorts=frozenset(get_args(AuditLogSort)),
    default_sort="seq",
    tenancy=Tenancy(shared=True),
    offers=frozenset({Crud.LIST}),
    group="Audit",
)


def json_safe(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def redact(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Changes with secrets replaced; the fact that a secret changed stays visible."""
    return {
        name: ([REDACTED, REDACTED] if name in SECRET_FIELDS else json_safe(value))
        for name, value in changes.items()
    }


def row_hash(
    *,
    seq: int,
    actor: str,
    action: str,
    resource: str,
    resource_id: str,
    changes: Any,
    ip_address: str | None,
    user_agent: str | None,
    request_id: str | None,
    timestamp: datetime,
    prev_hash: str,
    organization_id: Any = None,
) -> str:
    content: list[Any] = [
        seq,
        actor,
        str(action),
        resource,
        resource_id,
        changes,
        ip_address,
        user_agent,
        request_id,
        timestamp.isoformat(),
        prev_hash,
    ]
    if organization_id is not None:
        # Rows written before organizations existed have none, and keep their hash.
        content.append(str(organization_id))
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def hash_of(row: AuditLog) -> str:
    return row_hash(
        seq=row.seq,
        actor=row.actor,
        action=row.action,
        resource=row.resource,
        resource_id=row.resource_id,
        changes=row.changes,
        ip_address=row.ip_address,
        user_agent=row.user_agent,
        request_id=row.request_id,
        timestamp=row.timestamp,
        prev_hash=row.prev_hash,
        organization_id=row.organization_id,
    )


async def _lock_chain(session: AsyncSession) -> None:
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    request: RequestContext,
    action: AuditAction,
    resource: str,
    resource_id: str,
    changes: Mapping[str, Any] | None = None,
) -> AuditLog:
    """Append one row to the chain, in the caller's transaction (flushed, not committed)."""
    await _lock_chain(session)
    last = (
        await session.execute(
            select(AuditLog.seq, AuditLog.hash).order_by(AuditLog.seq.desc()).limit(1)
        )
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    row = AuditLog(
        seq=seq,
        user_id=actor.user_id,
        organization_id=actor.organization_id,
        actor=actor.label,
        action=action,
        resource=resource,
        resource_id=resource_id,
        changes=redact(changes) if changes is not None else None,
        ip_address=request.ip_address,
        user_agent=request.user_agent[:500] if request.user_agent else None,
        request_id=request.request_id,
        timestamp=utcnow(),
        prev_hash=prev_hash,
    )
    row.hash = hash_of(row)
    session.add(row)
    await session.flush()
    return row


async def record_change(
    session: AsyncSession,
    caller: Caller,
    *,
    action: str,
    resource: str,
    resource_id: str,
    changes: Mapping[str, Any] | None,
) -> None:
    """The audit row of one change made through the service layer."""
    await record(
        session,
        actor=caller.actor,
        request=caller.request,
        action=AuditAction(action),
        resource=resource,
        resource_id=resource_id,
        changes=changes,
    )


crud.record_changes_with(record_change)


async def find_audit_logs(
    session: AsyncSession,
    caller: Caller,
    *,
    resource: str | None = None,
    resource_id: str | None = None,
    actor_id: uuid.UUID | str | None = None,
    since: datetime | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AuditLog]:
    """Newest first; rows the caller may not read are not listed. `resource` also finds the
    rows written under the entity's former names."""
    filters: AuditLogFilters = {}
    where = [AuditLog.timestamp >= since] if since is not None else []
    if resource is not None:
        where.append(AuditLog.resource.in_(audit_names(resource)))
    if resource_id is not None:
        filters["resource_id"] = resource_id
    if actor_id is not None:
        filters["actor"] = str(actor_id)
    return await crud.find(
        session,
        caller,
        AUDIT_LOGS,
        filters=filters,
        where=where,
        cursor=cursor,
        limit=limit,
    )


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    head_seq: int | None
    head_hash: str | None
    problem: str | None = None
    first_bad_seq: int | None = None
    first_bad_id: str | None = None


async def _rows(session: AsyncSession, batch: int = 5_000) -> AsyncIterator[AuditLog]:
    last = 0
    while True:
        chunk = (
            await session.scalars(
                select(AuditLog).where(AuditLog.seq > last).order_by(AuditLog.seq).limit(batch)
            )
        ).all()
        if not chunk:
            return
        for row in chunk:
            yield row
        last = chunk[-1].seq
        session.expunge_all()


async def verify(session: AsyncSession, *, expected_head: tuple[int, str] | None = None) -> Verdict:
    """Recompute the chain; name the first row that was altered, removed, inserted or moved.

    `expected_head` is a (seq, hash) exported earlier: the chain must still contain it, which
    catches a rewrite of the whole chain from the start.
    """
    previous_seq, previous_hash, count = 0, GENESIS, 0
    head_seen = expected_head is None
    async for row in _rows(session):
        count += 1
        problem = _check_link(row, previous_seq, previous_hash, expected_head)
        if problem is not None:
            return Verdict(
                False, count, previous_seq or None, previous_hash, problem, row.seq, str(row.id)
            )
        if expected_head is not None and row.seq == expected_head[0]:
            head_seen = True
        previous_seq, previous_hash = row.seq, row.hash
    if not head_seen:
        assert expected_head is not None
        problem = (
            f"the exported head (seq {expected_head[0]}) is no longer in the chain: "
            "rows were removed from its end"
        )
        return Verdict(
            False, count, previous_seq or None, previous_hash, problem, expected_head[0], None
        )
    return Verdict(True, count, previous_seq or None, previous_hash if count else None)


def _check_link(
    row: AuditLog, previous_seq: int, previous_hash: str, expected_head: tuple[int, str] | None
) -> str | None:
    where = f"row seq {row.seq} (id {row.id})"
    if row.seq != previous_seq + 1:
        gap = "missing" if row.seq > previous_seq + 1 else "duplicated"
        return (
            f"{where} follows seq {previous_seq}: rows are {gap} before it "
            "(removed, inserted or reordered)"
        )
    if row.prev_hash != previous_hash:
        return f"{where} does not link to the row before it (removed, inserted or reordered)"
    if hash_of(row) != row.hash:
        return f"{where} was altered: its content no longer matches its hash"
    if expected_head is not None and row.seq == expected_head[0] and row.hash != expected_head[1]:
        return f"{where} differs from the exported head: the chain was rewritten"
    return None
