"""Notification spec and marking as read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud
from dreamery.core.crud import Caller, EntitySpec, Ownership
from dreamery.core.types import utcnow
from dreamery.models import Notification
from dreamery.models.enums import Resource
from dreamery.notifications.schemas import (
    NotificationCreate,
    NotificationRead,
    NotificationUpdate,
)

NOTIFICATIONS: EntitySpec[Notification, NotificationRead] = EntitySpec(
    name="notification",
    model=Notification,
    resource=Resource.NOTIFICATION,
    create_schema=NotificationCreate,
    update_schema=NotificationUpdate,
    read_schema=NotificationRead,
    owner=Ownership("user_id"),
    filters=frozenset({"user_id", "is_read", "type", "category"}),
    sorts=frozenset({"created_at"}),
)


async def mark_notification_read(
    session: AsyncSession, caller: Caller, notification_id: Any, *, read: bool = True
) -> Notification:
    return await crud.update(
        session,
        caller,
        NOTIFICATIONS,
        notification_id,
        {"is_read": read},
        also={"read_at": utcnow() if read else None},
    )
