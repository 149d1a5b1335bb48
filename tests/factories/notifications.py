"""In-app notifications."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import Notification
from tests.factories.base import add, organization_of
from tests.factories.users import user


async def notification(session: AsyncSession, **fields: Any) -> Notification:
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    fields.setdefault("organization_id", await organization_of(session, fields["user_id"]))
    values = {"title": "Welcome", "message": "Your account is ready."} | fields
    return await add(session, Notification(**values))
