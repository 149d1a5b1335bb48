"""Cases over HTTP: `/api/v1/cases` (with `.../status`) and `/api/v1/case-participants`;
`/api/v1/cases/{id}/participants` lists one case's, `/api/v1/cases/{id}/key-dates` its key
dates (`PUT` / `DELETE .../key-dates/{name}` sets, moves or removes one)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Path, Response, status

from dreamery.cases import service
from dreamery.cases.schemas import KeyDateRead, KeyDateSet, ParticipantRead
from dreamery.cases.service import CASES, KEY_DATES, PARTICIPANTS
from dreamery.core import crud
from dreamery.core.http import RESPONSES, SignedIn, mount_entity, parse_if_match, set_etag
from dreamery.core.http.entity_routes import IfMatch
from dreamery.core.http.units import precondition

router = APIRouter()


@router.get(
    "/cases/{case_id}/participants",
    response_model=list[ParticipantRead],
    tags=[CASES.group],
    summary="Everyone taking part in the case (the first 100)",
    responses=RESPONSES(401, 404),
)
async def case_participants(case_id: uuid.UUID, unit: SignedIn) -> list[ParticipantRead]:
    await crud.load(unit.session, unit.caller, CASES, case_id)
    page = await crud.find(
        unit.session, unit.caller, PARTICIPANTS, filters={"case_id": case_id}, limit=100
    )
    return [ParticipantRead.model_validate(row) for row in page.items]


KeyDateName = Annotated[str, Path(description="e.g. closing, inspection_deadline")]


@router.get(
    "/cases/{case_id}/key-dates",
    response_model=list[KeyDateRead],
    tags=[CASES.group],
    summary="The case's key dates, soonest first",
    responses=RESPONSES(401, 404),
)
async def case_key_dates(case_id: uuid.UUID, unit: SignedIn) -> list[KeyDateRead]:
    await crud.load(unit.session, unit.caller, CASES, case_id)
    page = await crud.find(
        unit.session, unit.caller, KEY_DATES, filters={"case_id": case_id}, limit=100
    )
    return [KeyDateRead.model_validate(row) for row in page.items]


@router.put(
    "/cases/{case_id}/key-dates/{name}",
    response_model=KeyDateRead,
    tags=[CASES.group],
    summary="Set or move a key date (the steps counted from it move too)",
    responses=RESPONSES(401, 403, 404, 409, 422),
)
async def set_key_date(
    case_id: uuid.UUID,
    name: KeyDateName,
    change: Annotated[KeyDateSet, Body()],
    response: Response,
    unit: SignedIn,
    if_match: IfMatch = None,
) -> KeyDateRead:
    """Set the day a key date falls on, or move it: every open step of the case's runs due
    so many days from it moves with it, and its assignee is told. `version` (or `If-Match`)
    is the key date's, to move it only as it was read."""
    version = parse_if_match(if_match)
    if version is not None and change.version is None:
        change = change.model_copy(update={"version": version})
    key_date = await service.set_key_date(unit.session, unit.caller, case_id, name, change)
    read = KeyDateRead.model_validate(key_date)
    set_etag(response, read)
    return read


@router.delete(
    "/cases/{case_id}/key-dates/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=[CASES.group],
    summary="Remove a key date",
    responses=RESPONSES(401, 403, 404, 409, 428),
)
async def remove_key_date(
    case_id: uuid.UUID, name: KeyDateName, unit: SignedIn, if_match: IfMatch = None
) -> Response:
    """The steps counted from it have no due date until it is set again. `If-Match` names
    the key date's version (`*`: whatever it is)."""
    version = precondition("key date", True, if_match, None)
    await service.remove_key_date(
        unit.session, unit.caller, case_id, name, expected_version=version
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


mount_entity(router, CASES)
mount_entity(router, PARTICIPANTS)
mount_entity(router, KEY_DATES)
