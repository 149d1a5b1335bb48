"""Users made before every account had a profile get one when the database is upgraded: an
empty profile in their organization, dated from the account, deleted with a deleted one."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.catalog import seed
from dreamery.catalog.data import default_catalog
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.core.types import utcnow
from dreamery.migrations import runner as migrations
from dreamery.models import ProfessionalCategory, UserProfile, UserRole
from tests import factories as make

pytestmark = pytest.mark.usefixtures("backend")

BEFORE = "7c321156a90e"  # the head before the backfill


async def _roles(session: AsyncSession) -> None:
    """The catalogue's categories and roles, which users need: all of the catalogue this
    revision can hold (its workflows have columns that came later)."""
    rows = seed._catalog_rows(default_catalog())
    session.add_all(ProfessionalCategory(**row) for row in rows["categories"])
    await session.flush()
    session.add_all(UserRole(**row) for row in rows["roles"])
    await session.flush()


async def test_every_user_has_a_profile_after_the_upgrade(fresh_url: str) -> None:
    await migrations.upgrade(fresh_url, BEFORE)
    engine = create_engine(fresh_url)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            await _roles(session)
            bare = await make.user(session)
            gone = await make.user(session, deleted_at=utcnow())
            kept = await make.profile(session, company="Kept Realty")
            expected = {bare.id: bare, gone.id: gone}

        await migrations.upgrade(fresh_url)
        assert await migrations.schema_drift(fresh_url) == []

        async with unit_of_work(create_sessionmaker(engine)) as session:
            profiles = {p.user_id: p for p in await session.scalars(select(UserProfile))}
            assert set(profiles) == {*expected, kept.user_id}
            assert profiles[kept.user_id].company == "Kept Realty"
            assert profiles[kept.user_id].id == kept.id
            for user_id, user in expected.items():
                made = profiles[user_id]
                assert (made.organization_id, made.created_at) == (
                    user.organization_id,
                    user.created_at,
                )
                assert (made.company, made.specialties, made.experience) == (None, [], 0)
                assert (made.deleted_at is None) == (user.deleted_at is None)
        # Upgrading again (a second head run) finds nothing to do.
        await migrations.upgrade(fresh_url)
    finally:
        await engine.dispose()
