"""Tasks and their reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import Reminder, Task
from dreamery.models.enums import ReminderChannel
from tests.factories.base import ROLE, add, now, organization_of
from tests.factories.users import user


async def task(session: AsyncSession, **fields: Any) -> Task:
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    fields.setdefault("organization_id", await organization_of(session, fields["user_id"]))
    values = {"title": "Call the seller", "role_id": ROLE, "due_date": now() + timedelta(days=3)}
    return await add(session, Task(**(values | fields)))


async def reminder(session: AsyncSession, **fields: Any) -> Reminder:
    if "task_id" not in fields:
        owner = await task(session)
        fields["task_id"] = owner.id
        fields.setdefault("user_id", owner.user_id)
    fields.setdefault("organization_id", await organization_of(session, fields["user_id"]))
    values = {"channel": ReminderChannel.EMAIL, "scheduled_at": now() + timedelta(days=2)}
    return await add(session, Reminder(**(values | fields)))
