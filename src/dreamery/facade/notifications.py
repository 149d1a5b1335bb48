"""The facade's notifications, and reading them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Unpack

from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.notifications import service as notifications
from dreamery.notifications.schemas import (
    NotificationCreate,
    NotificationFilters,
    NotificationRead,
    NotificationSort,
)

NOTIFICATIONS = notifications.NOTIFICATIONS


class NotificationsFacade(FacadeBase):
    async def create_notification(
        self, data: NotificationCreate | Mapping[str, object]
    ) -> NotificationRead:
        return await self.create(NOTIFICATIONS, data)

    async def find_notification_by_id(
        self, notification_id: EntityId, *, include_deleted: bool = False
    ) -> NotificationRead:
        return await self.get(NOTIFICATIONS, notification_id, include_deleted=include_deleted)

    async def find_notifications(
        self,
        *,
        sort: NotificationSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[NotificationFilters],
    ) -> Page[NotificationRead]:
        return await self.find(
            NOTIFICATIONS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def mark_read(self, notification_id: EntityId, *, read: bool = True) -> NotificationRead:
        """Mark a notification read, or (`read=False`) unread again."""
        return await self.perform(
            NOTIFICATIONS, notifications.mark_read, notification_id, {"read": read}
        )

    async def mark_all_read(self, user_id: EntityId | None = None) -> int:
        """Mark every unread notification of the acting user (or, for administrators,
        `user_id`'s) read; how many were."""
        owner = uuid.UUID(str(user_id)) if user_id is not None else None
        async with self.unit() as unit:
            return await notifications.mark_all_read(unit.session, unit.caller, user_id=owner)

    async def delete_notification(
        self, notification_id: EntityId, *, expected_version: int | None = None
    ) -> NotificationRead:
        return await self.delete(NOTIFICATIONS, notification_id, expected_version=expected_version)

    async def restore_notification(self, notification_id: EntityId) -> NotificationRead:
        return await self.restore(NOTIFICATIONS, notification_id)

    async def purge_notification(self, notification_id: EntityId) -> None:
        await self.purge(NOTIFICATIONS, notification_id)
