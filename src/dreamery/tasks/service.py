"""Tasks and their reminders: the specs, and a task's status, which only moves by its rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, get_args

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.cases import service as cases
from dreamery.core import crud
from dreamery.core.access import authorize
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.entities import EntityId, EntitySpec, Input, Ownership, Tenancy
from dreamery.core.errors import ConflictError, FieldError, ValidationError
from dreamery.core.hooks import Hook
from dreamery.core.types import utcnow
from dreamery.models import Reminder, Task
from dreamery.models.enums import AuditAction, Resource, TaskStatus
from dreamery.tasks.schemas import (
    ReminderCreate,
    ReminderFilters,
    ReminderRead,
    ReminderSort,
    ReminderUpdate,
    TaskCreate,
    TaskFilters,
    TaskRead,
    TaskSort,
    TaskStatusChange,
    TaskUpdate,
)
from dreamery.users import service as users

# A task's status was changed by someone (not by `follow`): (session, caller, task, before).
TASK_STATUS_CHANGED: Hook[[AsyncSession, Caller, Task, TaskStatus]] = Hook("task status changed")

TASKS: EntitySpec[Task, TaskRead] = EntitySpec(
    name="task",
    model=Task,
    resource=Resource.TASK,
    create_schema=TaskCreate,
    update_schema=TaskUpdate,
    read_schema=TaskRead,
    filters=TaskFilters,
    sorts=frozenset(get_args(TaskSort)),
    default_sort="due_date",
    descending=False,
    owner=Ownership("user_id"),
    tenancy=Tenancy(from_user="user_id"),
    case_column="case_id",
    # A task is deleted by whoever made it: being handed someone's task is no right to erase it.
    owners={PermissionAction.DELETE: Ownership("created_by")},
    stamp=lambda actor: {"created_by": actor.user_id},
    group="Tasks",
    row_label=lambda task: task.title,
    list_columns=(
        "title",
        "user_id",
        "status",
        "priority",
        "due_date",
    ),
)

REMINDERS: EntitySpec[Reminder, ReminderRead] = EntitySpec(
    name="reminder",
    model=Reminder,
    resource=Resource.REMINDER,
    create_schema=ReminderCreate,
    update_schema=ReminderUpdate,
    read_schema=ReminderRead,
    filters=ReminderFilters,
    sorts=frozenset(get_args(ReminderSort)),
    default_sort="scheduled_at",
    descending=False,
    owner=Ownership("user_id"),
    tenancy=Tenancy(from_user="user_id"),
    group="Tasks",
    list_columns=(
        "task_id",
        "user_id",
        "channel",
        "scheduled_at",
        "sent_at",
        "is_active",
    ),
)


@REMINDERS.creates
async def create_reminder(session: AsyncSession, caller: Caller, data: Input) -> Reminder:
    """A reminder for the caller, unless it names whom it is for."""
    payload = crud.parse(ReminderCreate, data)
    decided = await users.for_the_caller(session, caller, dict(payload), role_field=None)
    reminder: Reminder = await crud.create(
        session, caller, REMINDERS, payload.model_copy(update=decided)
    )
    return reminder


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


async def _on_the_case(session: AsyncSession, task: Task) -> None:
    """A task of a case is for someone who takes part in it."""
    if task.case_id is not None and not await cases.takes_part(session, task.case_id, task.user_id):
        raise ValidationError(
            [
                FieldError(
                    "user_id",
                    "a task of a case goes to someone who takes part in it; add them first",
                    "not_on_case",
                )
            ]
        )


@TASKS.creates
async def create_task(session: AsyncSession, caller: Caller, data: Input) -> Task:
    """A task for the caller, unless it names its assignee; in the assignee's role unless it
    names one. Assigning it to someone else takes `task:create` reaching them."""
    payload = crud.parse(TaskCreate, data)
    payload = payload.model_copy(update=await users.for_the_caller(session, caller, dict(payload)))
    task: Task = await crud.create(session, caller, TASKS, payload)
    await _on_the_case(session, task)
    return task


@TASKS.updates
async def update_task(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    data: Input,
    *,
    expected_version: int | None = None,
) -> Task:
    task: Task = await crud.update(
        session, caller, TASKS, entity_id, data, expected_version=expected_version
    )
    await _on_the_case(session, task)
    return task


@TASKS.action(
    "status", input=TaskStatusChange, label="Change status", owns={"status", "completed_at"}
)
async def change_task_status(
    session: AsyncSession, caller: Caller, task_id: EntityId, change: TaskStatusChange
) -> Task:
    """Move a task to another status; `completed_at` follows.

    Allowed moves: pending → in progress → completed, and on to cancelled or back; a
    completed task can be reopened (in progress), a cancelled one restarted (pending).
    """
    task: Task = await crud.load(session, caller, TASKS, task_id)
    await authorize(session, caller, TASKS, PermissionAction.UPDATE, task)
    current, target = TaskStatus(task.status), change.status
    if target == current:
        return task
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current]))
        raise ConflictError(f"a {current} task cannot become {target} (allowed: {allowed})")
    completed_at = utcnow() if target is TaskStatus.COMPLETED else None
    changed: Task = await crud.apply(
        session,
        caller,
        TASKS,
        task,
        {"status": target, "completed_at": completed_at},
        action=AuditAction.CHANGE_STATUS,
        expected_version=change.version,
    )
    await TASK_STATUS_CHANGED.announce(session, caller, changed, current)
    return changed


class Unset:
    """No value given (where None is one: no due date)."""


UNSET = Unset()


async def follow(
    session: AsyncSession,
    caller: Caller,
    task: Task,
    *,
    status: TaskStatus | None = None,
    due_date: datetime | Unset | None = UNSET,
    user_id: uuid.UUID | None = None,
    role_id: str | None = None,
) -> Task:
    """Put a task where what it stands for (a workflow step) now is: its status (whatever
    the current one: the step's own rules decided the move), due date or assignee. Audited;
    announces nothing, since the change comes from the step."""
    values: dict[str, Any] = {}
    if status is not None and task.status != status:
        values["status"] = status
        values["completed_at"] = (
            (task.completed_at or utcnow()) if status is TaskStatus.COMPLETED else None
        )
    if not isinstance(due_date, Unset):
        values["due_date"] = due_date
    if user_id is not None:
        values["user_id"] = user_id
    if role_id is not None:
        values["role_id"] = role_id
    if not values:
        return task
    action = AuditAction.CHANGE_STATUS if "status" in values else AuditAction.UPDATE
    followed: Task = await crud.apply(session, caller, TASKS, task, values, action=action)
    return followed
