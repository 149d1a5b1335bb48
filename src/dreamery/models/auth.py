"""Sign-in state: refresh tokens (stored hashed) and the hub's run-time settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dreamery.models.base import Base, Timestamps, UUIDPrimaryKey


class RefreshToken(UUIDPrimaryKey, Timestamps, Base):
    """One refresh token of a sign-in session (`family_id`).

    Only the SHA-256 of the token is kept. Each refresh uses a token up (`used_at`) and issues
    the next one in the same family; presenting a used token again revokes the whole family.
    """

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_user_id_revoked_at", "user_id", "revoked_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(500))


class HubSetting(Timestamps, Base):
    """A setting an administrator changes while the hub runs (e.g. self-registration)."""

    __tablename__ = "hub_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column()
