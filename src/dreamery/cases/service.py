"""Cases and their participants: the specs, opening a case, adding someone to it (who is
told), and moving its status.

A case belongs to the organization that opened it; its participants may come from any
organization, and see what the case holds (the `case` scope, whose query this module
registers with the access rules).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, get_args

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.cases.schemas import (
    STANDARD_KEY_DATES,
    CaseCreate,
    CaseFilters,
    CaseRead,
    CaseSort,
    CaseStatusChange,
    CaseUpdate,
    KeyDateFilters,
    KeyDateName,
    KeyDateRead,
    KeyDateSet,
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
from dreamery.core.entities import Crud, EntityId, EntitySpec, Input, Ownership, Tenancy
from dreamery.core.errors import FieldError, NotFoundError, ValidationError
from dreamery.core.hooks import Hook
from dreamery.core.schemas import InputSchema
from dreamery.models import Case, CaseKeyDate, CaseParticipant, User
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


KEY_DATES: EntitySpec[CaseKeyDate, KeyDateRead] = EntitySpec(
    name="case_key_date",
    model=CaseKeyDate,
    resource=Resource.CASE,
    read_schema=KeyDateRead,
    filters=KeyDateFilters,
    sorts=frozenset({"created_at", "falls_on"}),
    default_sort="falls_on",
    descending=False,
    parent=(CASES, "case_id"),
    tenancy=Tenancy(),
    offers=frozenset({Crud.LIST, Crud.GET}),
    path="case-key-dates",
    group="Cases",
    row_label=lambda key_date: f"{key_date.label or key_date.name}: {key_date.falls_on}",
    list_columns=("case_id", "name", "label", "falls_on", "set_by"),
)

# A case was opened (its creator added to it): (session, caller, case, what was asked).
CASE_OPENED: Hook[[AsyncSession, Caller, Case, CaseCreate]] = Hook("case opened")
# A key date was set, moved or removed: (session, caller, case, name, the day or None).
KEY_DATE_MOVED: Hook[[AsyncSession, Caller, Case, str, date | None]] = Hook("key date moved")
# Someone was added to a case: (session, caller, case, the participant).
PARTICIPANT_ADDED: Hook[[AsyncSession, Caller, Case, CaseParticipant]] = Hook("participant added")


class _KeyDateName(InputSchema):
    name: KeyDateName


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
        session,
        caller,
        CASES,
        payload.model_dump(exclude={"case_role", "start_default_workflow"}, exclude_unset=True),
    )
    if caller.actor.user_id is not None:
        await _add(session, caller, case, caller.actor.user_id, payload.case_role, notify=False)
        await rows_see_case(session, case.id)
    await CASE_OPENED.announce(session, caller, case, payload)
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
    participant = await _add(session, caller, case, payload.user_id, payload.case_role, notify=True)
    await PARTICIPANT_ADDED.announce(session, caller, case, participant)
    return participant


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


async def key_dates(session: AsyncSession, case_id: uuid.UUID) -> dict[str, date]:
    """The case's key dates by name (its caller has loaded the case)."""
    rows = await session.execute(
        select(CaseKeyDate.name, CaseKeyDate.falls_on).where(CaseKeyDate.case_id == case_id)
    )
    return dict(rows.all())


async def participants_by_role(
    session: AsyncSession, case_id: uuid.UUID
) -> dict[CaseRole, uuid.UUID]:
    """Who holds each case role on the case: the first added, when several do."""
    rows = await session.execute(
        select(CaseParticipant.case_role, CaseParticipant.user_id)
        .where(CaseParticipant.case_id == case_id)
        .order_by(CaseParticipant.created_at.desc(), CaseParticipant.id.desc())
    )
    return {CaseRole(role): user_id for role, user_id in rows}


async def holders_of(session: AsyncSession, case_id: uuid.UUID, role: CaseRole) -> set[uuid.UUID]:
    """Who takes part in the case in `role`."""
    rows = await session.scalars(
        select(CaseParticipant.user_id).where(
            CaseParticipant.case_id == case_id, CaseParticipant.case_role == role
        )
    )
    return set(rows)


async def set_key_date(
    session: AsyncSession, caller: Caller, case_id: EntityId, name: str, change: KeyDateSet
) -> CaseKeyDate:
    """Set or move one of the case's key dates; every open step counted from it moves with
    it (and its assignee is told)."""
    case: Case = await crud.load(session, caller, CASES, case_id)
    await authorize(session, caller, CASES, PermissionAction.UPDATE, case)
    name = crud.parse(_KeyDateName, {"name": name}).name
    current = await session.scalar(
        select(CaseKeyDate).where(CaseKeyDate.case_id == case.id, CaseKeyDate.name == name)
    )
    label = change.label or STANDARD_KEY_DATES.get(name)
    if current is None:
        if change.version is not None:
            raise NotFoundError(f"case {case.id} has no key date {name!r} yet", id=name)
        current = CaseKeyDate(
            case_id=case.id,
            organization_id=case.organization_id,
            name=name,
            label=label,
            falls_on=change.falls_on,
            set_by=caller.actor.user_id,
        )
        session.add(current)
        await crud.flush(session, CaseKeyDate)
        await crud.record_change(
            session,
            caller,
            KEY_DATES,
            AuditAction.CREATE,
            current.id,
            {
                "case_id": [None, str(case.id)],
                "name": [None, name],
                "falls_on": [None, str(change.falls_on)],
            },
        )
    else:
        moved = current.falls_on != change.falls_on
        await crud.apply(
            session,
            caller,
            KEY_DATES,
            current,
            {"falls_on": change.falls_on, "label": label, "set_by": caller.actor.user_id},
            action=AuditAction.UPDATE,
            expected_version=change.version,
        )
        if not moved:
            return current
    await KEY_DATE_MOVED.announce(session, caller, case, name, change.falls_on)
    return current


async def remove_key_date(
    session: AsyncSession,
    caller: Caller,
    case_id: EntityId,
    name: str,
    *,
    expected_version: int | None = None,
) -> None:
    """Remove a key date: the steps counted from it have no due date until it is set again."""
    case: Case = await crud.load(session, caller, CASES, case_id)
    await authorize(session, caller, CASES, PermissionAction.UPDATE, case)
    current = await session.scalar(
        select(CaseKeyDate).where(CaseKeyDate.case_id == case.id, CaseKeyDate.name == name)
    )
    if current is None:
        raise NotFoundError(f"case {case.id} has no key date {name!r}", id=name)
    crud.check_version(KEY_DATES, current, expected_version)
    key_date_id = current.id
    await session.delete(current)
    await crud.flush(session, CaseKeyDate)
    await crud.record_change(
        session, caller, KEY_DATES, AuditAction.DELETE, key_date_id, {"name": [name, None]}
    )
    await KEY_DATE_MOVED.announce(session, caller, case, name, None)
