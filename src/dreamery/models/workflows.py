"""Role workflows: ordered steps, each with the validation rules its input must pass."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
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
from dreamery.models.enums import StepStatus, ValidationRuleType
from dreamery.models.organizations import TenantOptional

if TYPE_CHECKING:
    from dreamery.models.catalog import UserRole


class Workflow(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOptional, Base):
    __tablename__ = "workflows"

    slug: Mapped[str | None] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    role_id: Mapped[str] = mapped_column(
        ForeignKey("user_roles.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)

    role: Mapped[UserRole] = relationship(lazy="raise")
    steps: Mapped[list[WorkflowStep]] = relationship(
        back_populates="workflow",
        order_by="WorkflowStep.order",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class WorkflowStep(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "workflow_steps"
    __table_args__ = (
        UniqueConstraint("workflow_id", "order"),
        CheckConstraint('"order" >= 1', name="order_positive"),
        CheckConstraint(
            "estimated_duration IS NULL OR estimated_duration >= 0",
            name="estimated_duration_non_negative",
        ),
    )

    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    order: Mapped[int] = mapped_column()
    status: Mapped[StepStatus] = mapped_column(
        enum_column(StepStatus, "status"), default=StepStatus.PENDING
    )
    data: Mapped[dict[str, Any] | None] = mapped_column()
    required_fields: Mapped[list[str]] = mapped_column(default=list)
    estimated_duration: Mapped[int | None] = mapped_column(comment="minutes")
    # Ids of earlier steps of the same workflow that must be completed first.
    dependencies: Mapped[list[str]] = mapped_column(default=list)

    workflow: Mapped[Workflow] = relationship(back_populates="steps", lazy="raise")
    validation_rules: Mapped[list[ValidationRule]] = relationship(
        back_populates="step",
        order_by="ValidationRule.order",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class ValidationRule(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "validation_rules"

    step_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_steps.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(100))
    rule_type: Mapped[ValidationRuleType] = mapped_column(
        enum_column(ValidationRuleType, "rule_type")
    )
    # The rule's parameter: a length, a bound, a pattern, the allowed values, a date range.
    value: Mapped[Any | None] = mapped_column()
    message: Mapped[str] = mapped_column(String(500))
    order: Mapped[int] = mapped_column(default=0)

    step: Mapped[WorkflowStep] = relationship(back_populates="validation_rules", lazy="raise")
