"""What every domain's factories share: a counter, the clock, and flushing a new row."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
sequence = itertools.count(1)
ROLE = "acquisition-specialist"


def now() -> datetime:
    return datetime.now(UTC)


async def add(session: AsyncSession, obj: T) -> T:
    session.add(obj)
    await session.flush()
    return obj
