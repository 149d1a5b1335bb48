"""Tasks assigned to professionals, and the reminders scheduled for them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dreamery.models.base import (
    Base,
    SoftDelete,
    Timestamps,
    UUIDPrimaryKey,
    Versioned,
    enum_column,
)
from dreamery.models.enums import Priority, ReminderChannel, TaskStatus
from dreamery.models.organizations import TenantOwned

if TYPE_CHECKING:
    from dreamery.models.users import User


class Task(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOwned, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_user_id_status_due_date", "user_id", "status", "due_date"),
        Index("ix_tasks_role_id_status_due_date", "role_id", "status", "due_date"),
        Index("ix_tasks_status_due_date", "status", "due_date"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    role_id: Mapped[str] = mapped_column(ForeignKey("user_roles.id", ondelete="RESTRICT"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[TaskStatus] = mapped_column(
        enum_column(TaskStatus, "status"), default=TaskStatus.PENDING
    )
    priority: Mapped[Priority] = mapped_column(
        enum_column(Priority, "priority"), default=Priority.MEDIUM
    )
    due_date: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    tags: Mapped[list[str]] = mapped_column(default=list)
    # The case this belongs to, if any: its participants see it (scope `case`).
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    reminders: Mapped[list[Reminder]] = relationship(
        back_populates="task",
        order_by="Reminder.scheduled_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class Reminder(UUIDPrimaryKey, Timestamps, Versioned, TenantOwned, Base):
    __tablename__ = "reminders"
    __table_args__ = (
        # The reminder worker's query: active, unsent, due first.
        Index(
            "ix_reminders_pending_scheduled_at",
            "scheduled_at",
            postgresql_where=text("sent_at IS NULL AND is_active"),
            sqlite_where=text("sent_at IS NULL AND is_active"),
        ),
    )

    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[ReminderChannel] = mapped_column(enum_column(ReminderChannel, "channel"))
    message: Mapped[str | None] = mapped_column(String(500))
    scheduled_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(default=True)

    task: Mapped[Task] = relationship(back_populates="reminders", lazy="raise")
