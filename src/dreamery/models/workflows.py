"""Role workflows: ordered steps, each with the validation rules its input must pass; the
versions runs were started on; and the runs themselves, one per workflow on one case, with a
step run for each step and an append-only log of what happened.

A definition is edited in place; a run never sees those edits. Starting a run records the
definition as it then stands (a `WorkflowVersion`, made only when it changed since the last
one), and the run reads its steps from that version until it is moved to a newer one."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, func, text
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
from dreamery.models.enums import (
    CaseRole,
    RunEventKind,
    RunStatus,
    StepKind,
    StepRunStatus,
    ValidationRuleType,
)
from dreamery.models.organizations import TenantOptional, TenantOwned

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
    # The case kinds (`CaseKind`) a new case of which starts this workflow: an
    # organization's own default wins over the catalogue's.
    default_for: Mapped[list[str]] = mapped_column(default=list, server_default=text("'[]'"))

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
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "kind"), default=StepKind.TASK)
    is_required: Mapped[bool] = mapped_column(default=True)
    # Who on the case does it; the run's owner when nobody on the case has that role.
    case_role: Mapped[CaseRole | None] = mapped_column(enum_column(CaseRole, "case_role"))
    # When it is due (`workflows.deadlines.DueRule`): from a key date or its dependencies.
    due_rule: Mapped[dict[str, Any] | None] = mapped_column()
    # A document step: the template the attached document is made from.
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document_templates.id", ondelete="SET NULL")
    )
    # A milestone: the case's key date it records.
    key_date: Mapped[str | None] = mapped_column(String(50))
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


class WorkflowVersion(UUIDPrimaryKey, TenantOptional, Base):
    """A workflow's steps and rules as they stood when a run was started on them: immutable.
    `digest` is the hash of `steps`, so an unchanged definition makes no new version; the
    organization is the workflow's."""

    __tablename__ = "workflow_versions"
    __table_args__ = (
        UniqueConstraint("workflow_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    # Each step: key (the definition step's id), order, name, kind, required, minutes,
    # depends_on, case_role, due_rule, template_id, key_date, required_fields, rules.
    steps: Mapped[list[dict[str, Any]]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class WorkflowRun(UUIDPrimaryKey, Timestamps, Versioned, TenantOwned, Base):
    """One workflow run on one case; `organization_id` is the case's."""

    __tablename__ = "workflow_runs"
    __table_args__ = (Index("ix_workflow_runs_case_id_status", "case_id", "status"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    workflow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflows.id", ondelete="RESTRICT"), index=True
    )
    workflow_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_versions.id", ondelete="RESTRICT"), index=True
    )
    # Who answers for the run: does the steps no case role claims.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, "status"), default=RunStatus.ACTIVE
    )
    started_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

    version_row: Mapped[WorkflowVersion] = relationship(lazy="raise")
    step_runs: Mapped[list[StepRun]] = relationship(
        back_populates="run",
        order_by="StepRun.order",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class StepRun(UUIDPrimaryKey, Timestamps, Versioned, TenantOwned, Base):
    """Where one step of one run stands; `case_id` is the run's (its participants see it)."""

    __tablename__ = "step_runs"
    __table_args__ = (
        UniqueConstraint("run_id", "step_key"),
        Index("ix_step_runs_assignee_id_status_due_on", "assignee_id", "status", "due_on"),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflow_runs.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    step_key: Mapped[str] = mapped_column(String(36))
    order: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "kind"))
    status: Mapped[StepRunStatus] = mapped_column(
        enum_column(StepRunStatus, "status"), default=StepRunStatus.BLOCKED
    )
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    due_on: Mapped[date | None] = mapped_column()
    data: Mapped[dict[str, Any] | None] = mapped_column()
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document_instances.id", ondelete="SET NULL")
    )
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None] = mapped_column()
    completed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    completed_at: Mapped[datetime | None] = mapped_column()
    skip_reason: Mapped[str | None] = mapped_column(String(500))
    review_note: Mapped[str | None] = mapped_column(String(1000))
    # A task step's task, kept in step with it.
    task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), index=True
    )

    run: Mapped[WorkflowRun] = relationship(back_populates="step_runs", lazy="raise")


class RunEvent(UUIDPrimaryKey, TenantOwned, Base):
    """One entry of a run's log: who did what to which step, from which status to which.
    Written once, never changed (the audit trail holds the field-level changes)."""

    __tablename__ = "run_events"
    __table_args__ = (UniqueConstraint("run_id", "sequence"),)

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflow_runs.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column()
    kind: Mapped[RunEventKind] = mapped_column(enum_column(RunEventKind, "kind"))
    step_key: Mapped[str | None] = mapped_column(String(36))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(1000))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
