"""Notification schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, StringConstraints
from typing_extensions import TypedDict

from dreamery.core.schemas import (
    InputSchema,
    JsonObject,
    VersionedRead,
    VersionInput,
    pattern_explained,
)
from dreamery.models.enums import NotificationType

Category = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", min_length=1, max_length=50),
    pattern_explained("lower-case letters, digits, _ and -, starting with a letter"),
]
NotificationSort = Literal["created_at"]


class NotificationFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    user_id: uuid.UUID
    is_read: bool
    type: NotificationType
    category: str


class NotificationCreate(InputSchema):
    case_id: uuid.UUID | None = None
    user_id: uuid.UUID
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    message: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    type: NotificationType = NotificationType.INFO
    category: Category = "general"
    data: JsonObject | None = None


class ReadMark(VersionInput):
    """Mark the notification read, or (`read: false`) unread again."""

    read: bool = True


class NotificationRead(VersionedRead):
    organization_id: uuid.UUID
    case_id: uuid.UUID | None
    user_id: uuid.UUID
    title: str
    message: str
    type: NotificationType
    category: str
    data: dict[str, Any] | None
    is_read: bool
    read_at: datetime | None
    deleted_at: datetime | None


class MarkedRead(BaseModel):
    marked: int
