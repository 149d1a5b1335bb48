"""Organizations (the tenants: a brokerage, a title company, a lender...), who belongs to
them, and the invitations that move a professional into one.

A professional belongs to exactly one organization at a time: `users.organization_id` names
it, and their one `active` membership says with which standing (`org_role`). Earlier
memberships stay, `removed`, as the history of where they worked.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dreamery.models.base import (
    SLUG_LENGTH,
    Base,
    SoftDelete,
    Timestamps,
    UUIDPrimaryKey,
    Versioned,
    enum_column,
)
from dreamery.models.enums import MembershipStatus, OrganizationKind, OrgRole


class Organization(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    kind: Mapped[OrganizationKind] = mapped_column(
        enum_column(OrganizationKind, "kind"), default=OrganizationKind.OTHER
    )
    # Made for one professional at sign-up (or by the migration that brought organizations).
    is_personal: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(2048))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    license_number: Mapped[str | None] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # A platform administrator's check that the organization is who it says it is; until
    # then its reviewers review nothing (a claimed brokerage is not a brokerage).
    verified_at: Mapped[datetime | None] = mapped_column()
    # Who verified it (not a foreign key: users belong to organizations, and the audit
    # trail keeps who it was should the account go).
    verified_by: Mapped[uuid.UUID | None] = mapped_column()


class TenantOwned:
    """A row of one organization's data (`organization_id`, never NULL)."""

    @declared_attr
    def organization_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("organizations.id", ondelete="RESTRICT"), index=True, sort_order=5
        )


class TenantOptional:
    """A row of one organization's data, or of everyone's when `organization_id` is NULL
    (the catalogue's starter workflows, templates, requirements and dashboards)."""

    @declared_attr
    def organization_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(
            ForeignKey("organizations.id", ondelete="RESTRICT"), index=True, sort_order=5
        )


class Membership(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        # One organization at a time.
        Index(
            "uq_memberships_active_user",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_memberships_organization_id_status", "organization_id", "status"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    org_role: Mapped[OrgRole] = mapped_column(
        enum_column(OrgRole, "org_role"), default=OrgRole.MEMBER
    )
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "status"), default=MembershipStatus.ACTIVE
    )
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    joined_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()


class Invitation(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A single-use, expiring invitation into an organization; only its hash is kept."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_organization_id_email", "organization_id", "email"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(254))
    org_role: Mapped[OrgRole] = mapped_column(
        enum_column(OrgRole, "org_role"), default=OrgRole.MEMBER
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column()
