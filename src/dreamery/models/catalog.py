"""The professional catalogue: 18 categories and 89 roles, keyed by their public slugs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dreamery.models.base import SLUG_LENGTH, Base, Timestamps, Versioned

if TYPE_CHECKING:
    from dreamery.models.rbac import RolePermission


class ProfessionalCategory(Timestamps, Versioned, Base):
    __tablename__ = "professional_categories"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[str] = mapped_column(String(SLUG_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="category", order_by="UserRole.sort_order", passive_deletes="all"
    )


class UserRole(Timestamps, Versioned, Base):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[str] = mapped_column(String(SLUG_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[str] = mapped_column(
        ForeignKey("professional_categories.id", ondelete="RESTRICT"), index=True
    )
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    category: Mapped[ProfessionalCategory] = relationship(back_populates="roles")
    permissions: Mapped[list[RolePermission]] = relationship(
        back_populates="role", cascade="all, delete-orphan", passive_deletes=True
    )
