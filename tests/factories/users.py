"""People: users and their profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import User, UserProfile
from tests.factories.base import ROLE, add, sequence


async def user(session: AsyncSession, **fields: Any) -> User:
    n = next(sequence)
    values = {
        "email": f"person{n}@example.com",
        "first_name": "Pat",
        "last_name": f"Tester{n}",
        "role_id": ROLE,
    } | fields
    return await add(session, User(**values))


async def profile(session: AsyncSession, **fields: Any) -> UserProfile:
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    return await add(session, UserProfile(**({"company": "Acme Realty"} | fields)))
