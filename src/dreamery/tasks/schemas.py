"""Task and reminder schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict

from dreamery.core.schemas import (
    AwareDatetime,
    InputSchema,
    Slug,
    Tag,
    UpdateSchema,
    VersionedRead,
    VersionInput,
)
from dreamery.models.enums import Priority, ReminderChannel, TaskStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TaskDescription = Annotated[str, StringConstraints(max_length=1000)]
Tags = Annotated[list[Tag], Field(max_length=20)]

TaskSort = Literal["due_date", "created_at", "priority"]
ReminderSort = Literal["scheduled_at", "created_at"]


class TaskFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    user_id: uuid.UUID
    role_id: str
    status: TaskStatus
    priority: Priority
    created_by: uuid.UUID


class TaskCreate(InputSchema):
    """A new task; it starts pending (its status then moves by `change_task_status`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Call the seller about the inspection report",
                    "description": "Walk them through the roof findings before Friday.",
                    "priority": "high",
                    "due_date": "2027-01-15T09:00:00Z",
                    "tags": ["calls", "inspection"],
                }
            ]
        }
    )

    case_id: uuid.UUID | None = None

    title: Title
    description: TaskDescription | None = None
    user_id: uuid.UUID | None = Field(
        default=None, description="whom the task is for (the assignee); default: you"
    )
    role_id: Slug | None = Field(
        default=None,
        description="the professional role the task is done in; default: the assignee's role",
    )
    priority: Priority = Priority.MEDIUM
    due_date: AwareDatetime | None = None
    tags: Tags = Field(default_factory=list)


class TaskUpdate(UpdateSchema):
    case_id: uuid.UUID | None = None
    title: Title | None = None
    description: TaskDescription | None = None
    user_id: uuid.UUID | None = None
    priority: Priority | None = None
    due_date: AwareDatetime | None = None
    tags: Tags | None = None


class TaskStatusChange(VersionInput):
    """Where the task goes: pending → in progress → completed, and on to cancelled or back."""

    status: TaskStatus


class TaskRead(VersionedRead):
    organization_id: uuid.UUID
    case_id: uuid.UUID | None
    title: str
    description: str | None
    role_id: str
    user_id: uuid.UUID
    created_by: uuid.UUID | None
    status: TaskStatus
    priority: Priority
    due_date: datetime | None
    completed_at: datetime | None
    tags: list[str]
    deleted_at: datetime | None


class ReminderFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    task_id: uuid.UUID
    user_id: uuid.UUID
    channel: ReminderChannel
    is_active: bool


class ReminderCreate(InputSchema):
    task_id: uuid.UUID
    user_id: uuid.UUID | None = Field(
        default=None, description="whom the reminder is for; default: you"
    )
    channel: ReminderChannel
    message: Annotated[str, StringConstraints(max_length=500)] | None = None
    scheduled_at: AwareDatetime
    is_active: bool = True


class ReminderUpdate(UpdateSchema):
    channel: ReminderChannel | None = None
    message: Annotated[str, StringConstraints(max_length=500)] | None = None
    scheduled_at: AwareDatetime | None = None
    is_active: bool | None = None


class ReminderRead(VersionedRead):
    organization_id: uuid.UUID
    task_id: uuid.UUID
    user_id: uuid.UUID
    channel: ReminderChannel
    message: str | None
    scheduled_at: datetime
    sent_at: datetime | None
    is_active: bool
