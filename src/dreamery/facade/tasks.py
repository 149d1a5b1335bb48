"""The facade's tasks and reminders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.models.enums import TaskStatus
from dreamery.tasks import service as tasks
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
    TaskUpdate,
)

TASKS, REMINDERS = tasks.TASKS, tasks.REMINDERS


class TasksFacade(FacadeBase):
    async def create_task(self, data: TaskCreate | Mapping[str, object]) -> TaskRead:
        """A new task, pending."""
        return await self.create(TASKS, data)

    async def find_task_by_id(
        self, task_id: EntityId, *, include_deleted: bool = False
    ) -> TaskRead:
        return await self.get(TASKS, task_id, include_deleted=include_deleted)

    async def find_tasks(
        self,
        *,
        sort: TaskSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[TaskFilters],
    ) -> Page[TaskRead]:
        """Tasks, soonest due first."""
        return await self.find(
            TASKS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def find_tasks_by_user(
        self, user_id: EntityId, /, **filters: Unpack[TaskFilters]
    ) -> list[TaskRead]:
        """A user's tasks (up to 100), soonest due first; other filters narrow them."""
        page = await self.find(TASKS, filters={**filters, "user_id": user_id}, limit=MAX_LIMIT)
        return page.items

    async def find_tasks_by_role(
        self, role_id: str, /, **filters: Unpack[TaskFilters]
    ) -> list[TaskRead]:
        """A role's tasks (up to 100), soonest due first; other filters narrow them."""
        page = await self.find(TASKS, filters={**filters, "role_id": role_id}, limit=MAX_LIMIT)
        return page.items

    async def update_task(
        self,
        task_id: EntityId,
        data: TaskUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> TaskRead:
        """Change a task's fields; its status moves only by `change_task_status`."""
        return await self.update(TASKS, task_id, data, expected_version=expected_version)

    async def change_task_status(
        self,
        task_id: EntityId,
        status: TaskStatus | str,
        *,
        expected_version: int | None = None,
    ) -> TaskRead:
        """Move a task along (pending → in progress → completed, cancelled, reopened);
        `completed_at` is set on completion and cleared when the task is reopened."""
        return await self.perform(
            TASKS,
            tasks.change_task_status,
            task_id,
            {"status": status, "version": expected_version},
        )

    async def update_task_status(
        self,
        task_id: EntityId,
        status: TaskStatus | str,
        *,
        expected_version: int | None = None,
    ) -> TaskRead:
        """The design's name for `change_task_status`."""
        return await self.change_task_status(task_id, status, expected_version=expected_version)

    async def delete_task(
        self, task_id: EntityId, *, expected_version: int | None = None
    ) -> TaskRead:
        return await self.delete(TASKS, task_id, expected_version=expected_version)

    async def restore_task(self, task_id: EntityId) -> TaskRead:
        return await self.restore(TASKS, task_id)

    async def purge_task(self, task_id: EntityId) -> None:
        await self.purge(TASKS, task_id)

    async def create_reminder(self, data: ReminderCreate | Mapping[str, object]) -> ReminderRead:
        return await self.create(REMINDERS, data)

    async def find_reminder_by_id(self, reminder_id: EntityId) -> ReminderRead:
        return await self.get(REMINDERS, reminder_id)

    async def find_reminders(
        self,
        *,
        sort: ReminderSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[ReminderFilters],
    ) -> Page[ReminderRead]:
        return await self.find(
            REMINDERS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_reminder(
        self,
        reminder_id: EntityId,
        data: ReminderUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> ReminderRead:
        return await self.update(REMINDERS, reminder_id, data, expected_version=expected_version)

    async def delete_reminder(
        self, reminder_id: EntityId, *, expected_version: int | None = None
    ) -> ReminderRead:
        return await self.delete(REMINDERS, reminder_id, expected_version=expected_version)
