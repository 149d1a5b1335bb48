"""Task specs and status transitions; reminders."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud
from dreamery.core.crud import Caller, EntitySpec, Ownership
from dreamery.core.errors import ConflictError
from dreamery.core.types import utcnow
from dreamery.models import Reminder, Task
from dreamery.models.enums import Resource, TaskStatus
from dreamery.tasks.schemas import (
    ReminderCreate,
    ReminderRead,
    ReminderUpdate,
    TaskCreate,
    TaskRead,
    TaskUpdate,
)

TASKS: EntitySpec[Task, TaskRead] = EntitySpec(
    name="task",
    model=Task,
    resource=Resource.TASK,
    create_schema=TaskCreate,
    update_schema=TaskUpdate,
    read_schema=TaskRead,
    owner=Ownership("user_id"),
    filters=frozenset({"user_id", "role_id", "status", "priority", "created_by"}),
    sorts=frozenset({"due_date", "created_at", "priority"}),
    default_sort="due_date",
    descending=False,
    stamp=lambda actor: {"created_by": actor.user_id},
)

REMINDERS: EntitySpec[Reminder, ReminderRead] = EntitySpec(
    name="reminder",
    model=Reminder,
    resource=Resource.REMINDER,
    create_schema=ReminderCreate,
    update_schema=ReminderUpdate,
    read_schema=ReminderRead,
    owner=Ownership("user_id"),
    filters=frozenset({"task_id", "user_id", "channel", "is_active"}),
    sorts=frozenset({"scheduled_at", "created_at"}),
    default_sort="scheduled_at",
    descending=False,
)

# Where a task may go from each status. Completed and cancelled tasks can be reopened.
TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PENDING: frozenset(
        {TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.CANCELLED}
    ),
    TaskStatus.IN_PROGRESS: frozenset(
        {TaskStatus.PENDING, TaskStatus.COMPLETED, TaskStatus.CANCELLED}
    ),
    TaskStatus.COMPLETED: frozenset({TaskStatus.IN_PROGRESS}),
    TaskStatus.CANCELLED: frozenset({TaskStatus.PENDING}),
}


async def update_task_status(
    session: AsyncSession,
    caller: Caller,
    task_id: Any,
    status: TaskStatus | str,
    *,
    expected_version: int | None = None,
) -> Task:
    """Move a task along; `completed_at` is set on completion and cleared when reopened."""
    target = TaskStatus(status) if not isinstance(status, TaskStatus) else status
    task = await crud.load(session, caller, TASKS, task_id)
    current = TaskStatus(task.status)
    if target == current:
        return task
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current]))
        raise ConflictError(f"a {current} task cannot become {target} (allowed: {allowed})")
    return await crud.update(
        session,
        caller,
        TASKS,
        task_id,
        {"status": target},
        expected_version=expected_version,
        also={"completed_at": utcnow() if target is TaskStatus.COMPLETED else None},
    )
