"""Catalogue rows: categories and roles of one's own, beside the seeded catalogue."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import ProfessionalCategory, UserRole
from tests.factories.base import add, sequence


async def category(session: AsyncSession, **fields: Any) -> ProfessionalCategory:
    n = next(sequence)
    values = {"id": f"test-category-{n}", "name": f"Test Category {n}"} | fields
    return await add(session, ProfessionalCategory(**values))


async def role(session: AsyncSession, **fields: Any) -> UserRole:
    n = next(sequence)
    if "category_id" not in fields:
        fields["category_id"] = (await category(session)).id
    values = {"id": f"test-role-{n}", "name": f"Test Role {n}"} | fields
    return await add(session, UserRole(**values))
