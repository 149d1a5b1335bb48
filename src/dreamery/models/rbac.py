"""Access control as data: permissions (`resource:action:scope`) and which roles hold them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dreamery.models.base import Base, Timestamps, UUIDPrimaryKey, Versioned, enum_column
from dreamery.models.enums import PermissionAction, PermissionScope, Resource

if TYPE_CHECKING:
    from dreamery.models.catalog import UserRole


class Permission(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "permissions"
    __table_args__ = (UniqueConstraint("resource", "action", "scope"),)

    name: Mapped[str] = mapped_column(String(100), unique=True)
    resource: Mapped[Resource] = mapped_column(enum_column(Resource, "resource"))
    action: Mapped[PermissionAction] = mapped_column(enum_column(PermissionAction, "action"))
    scope: Mapped[PermissionScope] = mapped_column(enum_column(PermissionScope, "scope"))
    description: Mapped[str | None] = mapped_column(String(500))
    conditions: Mapped[dict[str, Any] | None] = mapped_column()

    roles: Mapped[list[RolePermission]] = relationship(
        back_populates="permission", cascade="all, delete-orphan", passive_deletes=True
    )


class RolePermission(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "role_permissions"
    __table_args__ = (UniqueConstraint("role_id", "permission_id"),)

    role_id: Mapped[str] = mapped_column(ForeignKey("user_roles.id", ondelete="CASCADE"))
    permission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("permissions.id", ondelete="CASCADE"), index=True
    )

    role: Mapped[UserRole] = relationship(back_populates="permissions")
    permission: Mapped[Permission] = relationship(back_populates="roles")
