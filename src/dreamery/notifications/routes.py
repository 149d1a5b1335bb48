"""Notifications over HTTP: `/api/v1/notifications`, one read at `POST .../{id}/read`, all of
one's own at `POST /api/v1/notifications/read-all`."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.core.http import RESPONSES, SignedIn, mount_entity
from dreamery.notifications import service
from dreamery.notifications.schemas import MarkedRead

router = APIRouter()


@router.post(
    "/notifications/read-all",
    response_model=MarkedRead,
    tags=[service.NOTIFICATIONS.group],
    summary="Mark all your unread notifications read",
    responses=RESPONSES(401, 403, 422),
)
async def mark_all_read(unit: SignedIn) -> MarkedRead:
    return MarkedRead(marked=await service.mark_all_read(unit.session, unit.caller))


mount_entity(router, service.NOTIFICATIONS)
