"""In-app notifications for a user."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from dreamery.models.base import (
    Base,
    SoftDelete,
    Timestamps,
    UUIDPrimaryKey,
    Versioned,
    enum_column,
)
from dreamery.models.enums import NotificationType
from dreamery.models.organizations import TenantOwned


class Notification(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOwned, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        # The unread badge and inbox: a user's unread notifications, newest first.
        Index(
            "ix_notifications_unread_user_id_created_at",
            "user_id",
            "created_at",
            postgresql_where=text("NOT is_read"),
            sqlite_where=text("NOT is_read"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    type: Mapped[NotificationType] = mapped_column(
        enum_column(NotificationType, "type"), default=NotificationType.INFO
    )
    category: Mapped[str] = mapped_column(String(50), default="general")
    data: Mapped[dict[str, Any] | None] = mapped_column()
    is_read: Mapped[bool] = mapped_column(default=False)
    read_at: Mapped[datetime | None] = mapped_column()
    # The case this belongs to, if any: its participants see it (scope `case`).
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
