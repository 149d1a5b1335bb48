"""Notifications: the spec, and reading them (one, or all of one's own at once)."""

from __future__ import annotations

import uuid
from typing import get_args

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud
from dreamery.core.access import authorize
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.entities import Crud, EntityId, EntitySpec, Ownership, Tenancy
from dreamery.core.errors import AuthenticationError
from dreamery.core.types import utcnow
from dreamery.models import Notification
from dreamery.models.enums import AuditAction, Resource
from dreamery.notifications.schemas import (
    NotificationCreate,
    NotificationFilters,
    NotificationRead,
    NotificationSort,
    ReadMark,
)

NOTIFICATIONS: EntitySpec[Notification, NotificationRead] = EntitySpec(
    name="notification",
    model=Notification,
    resource=Resource.NOTIFICATION,
    create_schema=NotificationCreate,
    read_schema=NotificationRead,
    filters=NotificationFilters,
    sorts=frozenset(get_args(NotificationSort)),
    owner=Ownership("user_id"),
    tenancy=Tenancy(from_user="user_id"),
    case_column="case_id",
    offers=frozenset(Crud) - {Crud.UPDATE},
    group="Notifications",
    row_label=lambda notification: notification.title,
    list_columns=(
        "title",
        "user_id",
        "type",
        "category",
        "is_read",
        "created_at",
    ),
)


async def _mark(
    session: AsyncSession,
    caller: Caller,
    notification: Notification,
    read: bool,
    version: int | None,
) -> Notification:
    await authorize(session, caller, NOTIFICATIONS, PermissionAction.UPDATE, notification)
    marked: Notification = await crud.apply(
        session,
        caller,
        NOTIFICATIONS,
        notification,
        {"is_read": read, "read_at": utcnow() if read else None},
        action=AuditAction.MARK_READ if read else AuditAction.MARK_UNREAD,
        expected_version=version,
    )
    return marked


@NOTIFICATIONS.action("read", input=ReadMark, label="Mark read", owns={"is_read", "read_at"})
async def mark_read(
    session: AsyncSession, caller: Caller, notification_id: EntityId, mark: ReadMark
) -> Notification:
    """Mark a notification read (or, with `read: false`, unread again)."""
    notification: Notification = await crud.load(session, caller, NOTIFICATIONS, notification_id)
    if notification.is_read == mark.read:
        return notification
    return await _mark(session, caller, notification, mark.read, mark.version)


async def mark_all_read(
    session: AsyncSession, caller: Caller, *, user_id: uuid.UUID | None = None
) -> int:
    """Mark every unread notification of `user_id` (the acting user's by default) read;
    how many were."""
    owner = user_id or caller.actor.user_id
    if owner is None:
        raise AuthenticationError("whose notifications? sign in, or name the user")
    unread = await session.scalars(
        select(Notification)
        .where(
            Notification.user_id == owner,
            Notification.is_read.is_(False),
            *crud.visible_conditions(NOTIFICATIONS, caller, include_deleted=False),
        )
        .order_by(Notification.created_at, Notification.id)
    )
    marked = 0
    for notification in unread.all():
        await _mark(session, caller, notification, True, None)
        marked += 1
    return marked
