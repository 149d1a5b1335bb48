"""Document templates with typed variables, and the filled-in instances made from them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dreamery.models.base import (
    SLUG_LENGTH,
    Base,
    SoftDelete,
    Timestamps,
    UUIDPrimaryKey,
    Versioned,
    enum_column,
)
from dreamery.models.enums import DocumentStatus, TemplateCategory, VariableType
from dreamery.models.organizations import TenantOptional, TenantOwned

if TYPE_CHECKING:
    from dreamery.models.catalog import UserRole
    from dreamery.models.users import User


class DocumentTemplate(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOptional, Base):
    __tablename__ = "document_templates"

    slug: Mapped[str | None] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    role_id: Mapped[str] = mapped_column(
        ForeignKey("user_roles.id", ondelete="RESTRICT"), index=True
    )
    category: Mapped[TemplateCategory] = mapped_column(
        enum_column(TemplateCategory, "category"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    # The document's own edition ("1.0"); `version` is the row's optimistic-lock counter.
    template_version: Mapped[str] = mapped_column(String(20), default="1.0")
    is_active: Mapped[bool] = mapped_column(default=True)

    role: Mapped[UserRole] = relationship(lazy="raise")
    variables: Mapped[list[DocumentVariable]] = relationship(
        back_populates="template",
        order_by="DocumentVariable.order",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class DocumentVariable(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "document_variables"
    __table_args__ = (UniqueConstraint("template_id", "name"),)

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_templates.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(50))
    label: Mapped[str | None] = mapped_column(String(100))
    var_type: Mapped[VariableType] = mapped_column(enum_column(VariableType, "var_type"))
    required: Mapped[bool] = mapped_column(default=False)
    default_value: Mapped[Any | None] = mapped_column()
    options: Mapped[list[str] | None] = mapped_column()
    description: Mapped[str | None] = mapped_column(String(500))
    order: Mapped[int] = mapped_column(default=0)

    template: Mapped[DocumentTemplate] = relationship(back_populates="variables", lazy="raise")


class DocumentInstance(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOwned, Base):
    __tablename__ = "document_instances"
    __table_args__ = (Index("ix_document_instances_user_id_status", "user_id", "status"),)

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_templates.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role_id: Mapped[str] = mapped_column(
        ForeignKey("user_roles.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column(DocumentStatus, "status"), default=DocumentStatus.DRAFT
    )
    signed_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    # The review: submitted by its owner, approved (signed) or returned by a reviewer.
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_note: Mapped[str | None] = mapped_column(Text)
    # The case this belongs to, if any: its participants see it (scope `case`).
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )

    template: Mapped[DocumentTemplate] = relationship(lazy="raise")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
