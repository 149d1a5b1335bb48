"""The audit trail: one row per change, never edited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dreamery.core.types import utcnow
from dreamery.models.base import Base, Timestamps, UUIDPrimaryKey, enum_column
from dreamery.models.enums import AuditAction


class AuditLog(UUIDPrimaryKey, Timestamps, Base):
    """Append-only: each row's `hash` covers its content and `prev_hash`, the hash of the row
    at `seq - 1` (see `dreamery.audit.service`). `user_id` is a convenience link that becomes
    NULL when the user is purged; the hashed `actor` keeps who it was."""

    __tablename__ = "audit_logs"
    __table_args__ = (
        Index(
            "ix_audit_logs_resource_resource_id_timestamp", "resource", "resource_id", "timestamp"
        ),
        Index("ix_audit_logs_user_id_timestamp", "user_id", "timestamp"),
        Index("ix_audit_logs_timestamp", "timestamp"),
    )

    # The acting user; NULL for the system actor, or once the user has been purged.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100), default="system")
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "action"))
    resource: Mapped[str] = mapped_column(String(50))
    resource_id: Mapped[str] = mapped_column(String(100))
    changes: Mapped[dict[str, Any] | None] = mapped_column()
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    request_id: Mapped[str | None] = mapped_column(String(64))
    # The acting user's organization (NULL for the system actor): what an organization's
    # administrators may read. Not a foreign key: the trail outlives what it names.
    organization_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    timestamp: Mapped[datetime] = mapped_column(default=utcnow)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
