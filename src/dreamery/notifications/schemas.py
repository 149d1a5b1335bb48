"""Notification schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints

from dreamery.core.schemas import InputSchema, UpdateSchema, VersionedRead
from dreamery.models.enums import NotificationType

Category = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", min_length=1, max_length=50)
]


class NotificationCreate(InputSchema):
    user_id: uuid.UUID
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    message: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    type: NotificationType = NotificationType.INFO
    category: Category = "general"
    data: dict[str, Any] | None = None


class NotificationUpdate(UpdateSchema):
    is_read: bool | None = None


class NotificationRead(VersionedRead):
    user_id: uuid.UUID
    title: str
    message: str
    type: NotificationType
    category: str
    data: dict[str, Any] | None
    is_read: bool
    read_at: datetime | None
    deleted_at: datetime | None
