"""Cases: what professionals work on together (a deal, a loan file, an inspection order, a
renovation job), and who takes part in each, from whichever organization."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dreamery.models.base import (
    Base,
    SoftDelete,
    Timestamps,
    UUIDPrimaryKey,
    Versioned,
    enum_column,
)
from dreamery.models.enums import CaseKind, CaseRole, CaseStatus
from dreamery.models.organizations import TenantOwned


class Case(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOwned, Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_organization_id_status", "organization_id", "status"),)

    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "kind"))
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus, "status"), default=CaseStatus.OPEN
    )
    reference: Mapped[str | None] = mapped_column(String(100))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    parcel_number: Mapped[str | None] = mapped_column(String(64))
    mls_number: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class CaseParticipant(UUIDPrimaryKey, Timestamps, Versioned, TenantOwned, Base):
    """One professional on one case. `organization_id` is the case's (whose data it is);
    the participant may belong to any organization."""

    __tablename__ = "case_participants"
    __table_args__ = (
        UniqueConstraint("case_id", "user_id"),
        Index("ix_case_participants_user_id_case_id", "user_id", "case_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_role: Mapped[CaseRole] = mapped_column(enum_column(CaseRole, "case_role"))
    added_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CaseKeyDate(UUIDPrimaryKey, Timestamps, Versioned, TenantOwned, Base):
    """A named date of the case (contract acceptance, inspection deadline, closing...) that
    workflow steps count their due dates from."""

    __tablename__ = "case_key_dates"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    label: Mapped[str | None] = mapped_column(String(100))
    falls_on: Mapped[date] = mapped_column()
    set_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
