"""People: a user account and its professional profile."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dreamery.models.base import Base, SoftDelete, Timestamps, UUIDPrimaryKey, Versioned

if TYPE_CHECKING:
    from dreamery.models.catalog import UserRole


class User(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("length(first_name) > 0", name="first_name_not_empty"),
        CheckConstraint("length(last_name) > 0", name="last_name_not_empty"),
        Index("ix_users_created_at_id", "created_at", "id"),
    )

    email: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50))
    role_id: Mapped[str] = mapped_column(
        ForeignKey("user_roles.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    last_login_at: Mapped[datetime | None] = mapped_column()
    # Lower-cased names, email, company and specialties, kept current by the users service;
    # searched through a trigram index (PostgreSQL) or an FTS5 table (SQLite).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    role: Mapped[UserRole] = relationship(lazy="raise")
    profile: Mapped[UserProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# One account per address whatever its case: John@Example.com and john@example.com collide.
Index("uq_users_email_lower", func.lower(User.email), unique=True)


class UserProfile(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, Base):
    __tablename__ = "user_profiles"
    __table_args__ = (
        CheckConstraint("experience >= 0 AND experience <= 50", name="experience_range"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    phone: Mapped[str | None] = mapped_column(String(32))
    company: Mapped[str | None] = mapped_column(String(200))
    license_number: Mapped[str | None] = mapped_column(String(64))
    specialties: Mapped[list[str]] = mapped_column(default=list)
    experience: Mapped[int] = mapped_column(default=0)
    bio: Mapped[str | None] = mapped_column(Text)
    avatar: Mapped[str | None] = mapped_column(String(2048))

    user: Mapped[User] = relationship(back_populates="profile", lazy="raise")
