"""The unit of work and the work queued for after its commit: run once it has committed,
dropped when it rolls back, and a failed savepoint drops only what was queued inside it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from dreamery.core.db import (
    AFTER_COMMIT,
    create_engine,
    create_sessionmaker,
    drop_queued_work_on_rollback,
    on_commit,
    run_after_commit,
    savepoint,
    unit_of_work,
)
from dreamery.models import ProfessionalCategory

pytestmark = pytest.mark.usefixtures("backend")


class Boom(Exception):
    pass


@pytest.fixture
async def committed_engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine over a database of the test's own: these tests commit."""
    engine = create_engine(migrated_url)
    yield engine
    await engine.dispose()


async def test_work_runs_after_the_commit_and_sees_it(committed_engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(committed_engine)
    seen: list[str] = []

    async def after() -> None:
        # The change is visible to a new connection: the commit has happened.
        async with sessions() as other:
            count = await other.scalar(
                select(func.count()).where(ProfessionalCategory.id == "after-commit")
            )
        seen.append(f"after commit, {count} row")

    async with unit_of_work(sessions) as session:
        session.add(ProfessionalCategory(id="after-commit", name="After commit"))
        on_commit(session, after)
        on_commit(session, after)  # queued once
        await session.flush()
        assert seen == []
    assert seen == ["after commit, 1 row"]


async def test_a_rollback_drops_the_queued_work(committed_engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(committed_engine)
    seen: list[str] = []

    async def after() -> None:
        seen.append("ran")

    async def fail() -> None:
        async with unit_of_work(sessions) as session:
            on_commit(session, after)
            raise Boom

    with pytest.raises(Boom):
        await fail()
    assert seen == []


async def test_a_failed_savepoint_drops_only_its_own_work(committed_engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(committed_engine)
    seen: list[str] = []

    def note(text: str) -> object:
        async def append() -> None:
            seen.append(text)

        return append

    async def fail(session: AsyncSession) -> None:
        async with savepoint(session):
            on_commit(session, note("inner, failed"))  # type: ignore[arg-type]
            raise Boom

    async with unit_of_work(sessions) as session:
        on_commit(session, note("outer"))  # type: ignore[arg-type]
        with pytest.raises(Boom):
            await fail(session)
        async with savepoint(session):
            on_commit(session, note("inner, kept"))  # type: ignore[arg-type]
    assert seen == ["outer", "inner, kept"]


async def test_a_failing_callback_is_logged_and_the_others_still_run(
    committed_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = create_sessionmaker(committed_engine)
    seen: list[str] = []

    async def broken() -> None:
        raise RuntimeError("the cache is down")

    async def fine() -> None:
        seen.append("fine")

    with caplog.at_level(logging.ERROR, logger="dreamery.core.db"):
        async with unit_of_work(sessions) as session:
            on_commit(session, broken)
            on_commit(session, fine)
    assert seen == ["fine"]
    assert "after-commit work failed" in caplog.text


async def test_a_joined_transaction_that_rolls_back_drops_its_queued_work(
    committed_engine: AsyncEngine,
) -> None:
    """For a session someone else owns (`DatabaseService.using`), as for our own units."""
    seen: list[str] = []

    async def after() -> None:
        seen.append("ran")

    async with committed_engine.connect() as connection:
        session = AsyncSession(bind=connection, expire_on_commit=False)
        drop_queued_work_on_rollback(session)
        async with savepoint(session):
            on_commit(session, after)
        assert session.info.get(AFTER_COMMIT)
        await session.rollback()
        assert not session.info.get(AFTER_COMMIT)
        await run_after_commit(session)
        await session.close()
    assert seen == []
