"""Cases and their participants: the specs, opening a case, adding someone to it (who is
told), and moving its status.

A case belongs to the organization that opened it; its participants may come from any
organization, and see what the case holds (the `case` scope, whose query this module
registers with the access rules).
"""

from __future__ import annotations

import uuid
from typing import Any, get_args

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.cases.schemas import (
    CaseCreate,
    CaseFilters,
    CaseRead,
    CaseSort,
    CaseStatusChange,
    CaseUpdate,
    ParticipantCreate,
    ParticipantFilters,
    ParticipantRead,
    ParticipantSort,
    ParticipantUpdate,
)
from dreamery.core import crud
from dreamery.core.access import authorize, cases_taken_part_in
from dreamery.core.context import SYSTEM_ACTOR, Caller, PermissionAction
from dreamery.core.db import rows_see_case
from dreamery.core.entities import EntityId, EntitySpec, Input, Ownership, Tenancy
from dreamery.core.errors import FieldError, ValidationError
from dreamery.models import Case, CaseParticipant, User
from dreamery.models.enums import AuditAction, CaseRole, NotificationType, Resource
from dreamery.notifications.service import NOTIFICATIONS

CASES: EntitySpec[Case, CaseRead] = EntitySpec(
    name="case",
    model=Case,
    resource=Resource.CASE,
    create_schema=CaseCreate,
    update_schema=CaseUpdate,
    read_schema=CaseRead,
    filters=CaseFilters,
    sorts=frozenset(get_args(CaseSort)),
    owner=Ownership("created_by"),
    tenancy=Tenancy(),
    case_column="id",
    stamp=lambda actor: {"created_by": actor.user_id},
    group="Cases",
    row_label=lambda case: case.title,
    list_columns=(
        "title",
        "kind",
        "status",
        "reference",
        "city",
        "created_by",
    ),
)

PARTICIPANTS: EntitySpec[CaseParticipant, ParticipantRead] = EntitySpec(
    name="case_participant",
    model=CaseParticipant,
    resource=Resource.CASE,
    create_schema=ParticipantCreate,
    update_schema=ParticipantUpdate,
    read_schema=ParticipantRead,
    filters=ParticipantFilters,
    sorts=frozenset(get_args(ParticipantSort)),
    parent=(CASES, "case_id"),
    tenancy=Tenancy(),
    stamp=lambda actor: {"added_by": actor.user_id},
    path="case-participants",
    group="Cases",
    list_columns=(
        "case_id",
        "user_id",
        "case_role",
        "added_by",
    ),
)


def taking_part(user_id: uuid.UUID) -> Select[Any]:
    """The ids of the cases `user_id` takes part in."""
    return select(CaseParticipant.case_id).where(CaseParticipant.user_id == user_id)


cases_taken_part_in(taking_part)


async def takes_part(session: AsyncSession, case_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether `user_id` takes part in the case."""
    found = await session.scalar(
        select(func.count())
        .select_from(CaseParticipant)
        .where(CaseParticipant.case_id == case_id, CaseParticipant.user_id == user_id)
    )
    return bool(found)


@CASES.creates
async def open_case(session: AsyncSession, caller: Caller, data: Input) -> Case:
    """A case of the creator's organization, with the creator taking part in it."""
    payload = crud.parse(CaseCreate, data)
    case: Case = await crud.create(
        session, caller, CASES, payload.model_dump(exclude={"case_role"}, exclude_unset=True)
    )
    if caller.actor.user_id is not None:
        await _add(session, caller, case, caller.actor.user_id, payload.case_role, notify=False)
        await rows_see_case(session, case.id)
    return case


async def _add(
    session: AsyncSession,
    caller: Caller,
    case: Case,
    user_id: uuid.UUID,
    case_role: CaseRole,
    *,
    notify: bool,
) -> CaseParticipant:
    participant = CaseParticipant(
        case_id=case.id,
        user_id=user_id,
        case_role=case_role,
        added_by=caller.actor.user_id,
        organization_id=case.organization_id,
    )
    session.add(participant)
    await crud.flush(session, CaseParticipant)
    await crud.record_change(
        session,
        caller,
        PARTICIPANTS,
        AuditAction.CREATE,
        participant.id,
        {
            "case_id": [None, str(case.id)],
            "user_id": [None, str(user_id)],
            "case_role": [None, case_role],
        },
    )
    if notify:
        await _tell(session, caller, case, user_id, case_role)
    return participant


async def _tell(
    session: AsyncSession, caller: Caller, case: Case, user_id: uuid.UUID, case_role: CaseRole
) -> None:
    """The new participant's notification: from the hub, in the same transaction, so that
    nobody is added without being told."""
    await crud.create(
        session,
        Caller(SYSTEM_ACTOR, caller.request),
        NOTIFICATIONS,
        {
            "user_id": user_id,
            "title": f"You were added to {case.title}"[:200],
            "message": f"You take part in {case.title!r} as {case_role.replace('_', ' ')}.",
            "type": NotificationType.INFO,
            "category": "case",
            "case_id": case.id,
            "data": {"case_id": str(case.id), "case_role": str(case_role)},
        },
    )


@PARTICIPANTS.creates
async def add_participant(session: AsyncSession, caller: Caller, data: Input) -> CaseParticipant:
    """Someone (of any organization) takes part in the case; they get a notification."""
    payload = crud.parse(ParticipantCreate, data)
    case: Case = await crud.load(session, caller, CASES, payload.case_id)
    await authorize(session, caller, CASES, PermissionAction.UPDATE, case)
    user = await session.get(User, payload.user_id)
    if user is None or user.deleted_at is not None or not user.is_active:
        raise ValidationError([FieldError("user_id", f"no active user with id {payload.user_id}")])
    return await _add(session, caller, case, payload.user_id, payload.case_role, notify=True)


@CASES.action("status", input=CaseStatusChange, label="Change status", owns={"status"})
async def change_case_status(
    session: AsyncSession, caller: Caller, case_id: EntityId, change: CaseStatusChange
) -> Case:
    """Put the case on hold, close or cancel it, or open it again."""
    case: Case = await crud.load(session, caller, CASES, case_id)
    await authorize(session, caller, CASES, PermissionAction.UPDATE, case)
    changed: Case = await crud.apply(
        session,
        caller,
        CASES,
        case,
        {"status": change.status},
        action=AuditAction.CHANGE_STATUS,
        expected_version=change.version,
    )
    return changed
