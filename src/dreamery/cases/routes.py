"""Cases over HTTP: `/api/v1/cases` (with `.../status`) and `/api/v1/case-participants`;
`/api/v1/cases/{id}/participants` lists one case's."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from dreamery.cases.schemas import ParticipantRead
from dreamery.cases.service import CASES, PARTICIPANTS
from dreamery.core import crud
from dreamery.core.http import RESPONSES, SignedIn, mount_entity

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


mount_entity(router, CASES)
mount_entity(router, PARTICIPANTS)
