"""Notifications: the spec, reading them (one, or all of one's own at once), and the welcome
every new account gets."""

from __future__ import annotations

import uuid
from typing import get_args

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud
from dreamery.core.access import authorize
from dreamery.core.context import SYSTEM_ACTOR, Caller, PermissionAction
from dreamery.core.entities import Crud, EntityId, EntitySpec, Ownership, Tenancy
from dreamery.core.errors import AuthenticationError
from dreamery.core.types import utcnow
from dreamery.models import ComplianceRequirement, Notification, User, UserRole, Workflow
from dreamery.models.enums import AuditAction, NotificationType, Resource
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


WELCOME_CATEGORY = "welcome"
# How many of the role's requirements and workflows the welcome names (then "and N more").
WELCOME_NAMES = 5


def _names(names: list[str]) -> str:
    shown = names[:WELCOME_NAMES]
    more = len(names) - len(shown)
    listed = ", ".join(shown)
    return f"{listed} and {more} more" if more else listed


async def welcome(session: AsyncSession, caller: Caller, user: User) -> Notification:
    """The new account's first notification, saying what to do first: complete the profile,
    then the compliance requirements and workflows of their role (the catalogue's, and their
    organization's own). From the hub, in the transaction that makes the account."""
    role_name = await session.scalar(select(UserRole.name).where(UserRole.id == user.role_id))
    ours = or_(
        ComplianceRequirement.organization_id.is_(None),
        ComplianceRequirement.organization_id == user.organization_id,
    )
    requirements = list(
        await session.scalars(
            select(ComplianceRequirement.name)
            .where(ComplianceRequirement.role_id == user.role_id, ComplianceRequirement.is_active)
            .where(ours)
            .order_by(ComplianceRequirement.name)
        )
    )
    workflows = list(
        await session.scalars(
            select(Workflow.name)
            .where(
                Workflow.role_id == user.role_id,
                Workflow.is_active,
                Workflow.deleted_at.is_(None),
                or_(
                    Workflow.organization_id.is_(None),
                    Workflow.organization_id == user.organization_id,
                ),
            )
            .order_by(Workflow.name)
        )
    )
    title, message = welcome_text(
        user.first_name, role_name or user.role_id, requirements, workflows
    )
    notification: Notification = await crud.create(
        session,
        Caller(SYSTEM_ACTOR, caller.request),
        NOTIFICATIONS,
        {
            "user_id": user.id,
            "title": title,
            "message": message,
            "type": NotificationType.INFO,
            "category": WELCOME_CATEGORY,
            "data": {
                "role_id": user.role_id,
                "requirements": requirements,
                "workflows": workflows,
            },
        },
    )
    return notification


def welcome_text(
    first_name: str, role_name: str, requirements: list[str], workflows: list[str]
) -> tuple[str, str]:
    """The welcome's title and message: what to do first, in order."""
    steps = ["1. Complete your profile: company, license, specialties and a short bio."]
    if requirements:
        steps.append(
            f"2. Meet the compliance requirements of a {role_name}: {_names(requirements)}."
        )
    else:
        steps.append(f"2. Check the compliance requirements of a {role_name}: none are set yet.")
    if workflows:
        steps.append(f"3. Start with your role's workflows: {_names(workflows)}.")
    else:
        steps.append("3. Your role has no workflows yet; your organization may add its own.")
    title = f"Welcome to Dreamery Hub, {first_name}"[:200]
    return title, "\n".join(["What to do first:", *steps])
