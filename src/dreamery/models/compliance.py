"""Compliance: what each role must keep up, each user's record of it, and the evidence."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dreamery.core.types import utcnow
from dreamery.models.base import (
    SLUG_LENGTH,
    Base,
    SoftDelete,
    Timestamps,
    UUIDPrimaryKey,
    Versioned,
    enum_column,
)
from dreamery.models.enums import ComplianceCategory, ComplianceStatus, Frequency
from dreamery.models.organizations import TenantOptional, TenantOwned

if TYPE_CHECKING:
    from dreamery.models.catalog import UserRole
    from dreamery.models.users import User


class ComplianceRequirement(UUIDPrimaryKey, Timestamps, Versioned, TenantOptional, Base):
    __tablename__ = "compliance_requirements"

    slug: Mapped[str | None] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    role_id: Mapped[str] = mapped_column(
        ForeignKey("user_roles.id", ondelete="RESTRICT"), index=True
    )
    category: Mapped[ComplianceCategory] = mapped_column(
        enum_column(ComplianceCategory, "category")
    )
    # The checks: [{"name", "type": manual|automatic|document, "evidence_types", ...}].
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, "frequency"))
    is_active: Mapped[bool] = mapped_column(default=True)

    role: Mapped[UserRole] = relationship(lazy="raise")


class ComplianceRecord(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOwned, Base):
    __tablename__ = "compliance_records"
    __table_args__ = (
        Index("ix_compliance_records_user_id_status", "user_id", "status"),
        Index("ix_compliance_records_status_expires_at", "status", "expires_at"),
    )

    requirement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("compliance_requirements.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[ComplianceStatus] = mapped_column(
        enum_column(ComplianceStatus, "status"), default=ComplianceStatus.PENDING
    )
    verified_at: Mapped[datetime | None] = mapped_column()
    verified_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    expires_at: Mapped[datetime | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    # The latest review, whatever its verdict (verified_* are kept for a verified record).
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_note: Mapped[str | None] = mapped_column(Text)

    requirement: Mapped[ComplianceRequirement] = relationship(lazy="raise")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    evidence: Mapped[list[ComplianceEvidence]] = relationship(
        back_populates="record",
        order_by="ComplianceEvidence.uploaded_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class ComplianceEvidence(UUIDPrimaryKey, Timestamps, Versioned, TenantOwned, Base):
    __tablename__ = "compliance_evidence"
    __table_args__ = (CheckConstraint("size >= 0", name="size_non_negative"),)

    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("compliance_records.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    # A URL or a stored-file reference (e.g. s3://bucket/key, file:evidence/abc.pdf).
    location: Mapped[str] = mapped_column(String(2048))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(comment="bytes")
    checksum: Mapped[str | None] = mapped_column(String(128))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    record: Mapped[ComplianceRecord] = relationship(back_populates="evidence", lazy="raise")
