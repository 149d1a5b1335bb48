"""What every domain's factories share: a counter, the clock, and flushing a new row."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
sequence = itertools.count(1)
ROLE = "acquisition-specialist"


def now() -> datetime:
    return datetime.now(UTC)


async def organization_of(session: AsyncSession, user_id: Any) -> Any:
    """The organization of a user (the one a row about them belongs to)."""
    from dreamery.models import User

    found = await session.get(User, user_id)
    assert found is not None, f"no user {user_id}"
    return found.organization_id


async def add(session: AsyncSession, obj: T) -> T:
    session.add(obj)
    await session.flush()
    return obj
