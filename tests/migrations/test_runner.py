"""The migrations build the models' schema on both databases, both ways, without drift."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from dreamery.core.db import create_engine
from dreamery.migrations import runner as migrations
from dreamery.models import Base

pytestmark = pytest.mark.usefixtures("backend")


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_round_trip(fresh_url: str) -> None:
    head = migrations.head_revision()
    await migrations.upgrade(fresh_url)
    assert await migrations.current_revision(fresh_url) == head
    assert set(Base.metadata.tables) <= await _tables(fresh_url)

    await migrations.downgrade(fresh_url, "base")
    assert await migrations.current_revision(fresh_url) is None
    assert await _tables(fresh_url) <= {"alembic_version"}

    await migrations.upgrade(fresh_url)
    assert await migrations.current_revision(fresh_url) == head
    assert await migrations.schema_drift(fresh_url) == []


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
async def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    assert await migrations.schema_drift(database_url) == []


async def test_case_insensitive_email_index_exists(engine) -> None:  # type: ignore[no-untyped-def]
    # Autogenerate cannot compare expression indexes on SQLite, so look for it directly.
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            sql = "SELECT sql FROM sqlite_master WHERE name = 'uq_users_email_lower'"
        else:
            sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_users_email_lower'"
        definition = (await connection.execute(text(sql))).scalar_one()
    assert "UNIQUE" in definition.upper()
    assert "lower(" in definition.lower()


def test_migration_files_start_with_their_date() -> None:
    for script in migrations.script_directory().walk_revisions():
        name = script.path.rsplit("/", 1)[-1]
        assert name[:8].isdigit(), name
        assert name[8] == "_", name
