"""`dreamery db …` end to end, as a user runs it, against a real database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dreamery.migrations import runner as migrations
from tests.cli.runner import assert_one_line_error, dreamery

pytestmark = pytest.mark.usefixtures("backend")


def rows(status_output: str, table: str) -> int:
    match = re.search(rf"│ {table}\s+│ ([\d,]+)", status_output)
    assert match, status_output
    return int(match.group(1).replace(",", ""))


def test_migrate_seed_status_on_a_new_database(fresh_url: str, cli_env: dict[str, str]) -> None:
    sqlite_file = make_url(fresh_url).database if fresh_url.startswith("sqlite") else None
    if sqlite_file:
        Path(sqlite_file).touch()  # there, but empty (`db status` never makes one)
    status = dreamery("db", "status", env=cli_env, url=fresh_url)
    assert status.code == 0, status
    assert "none (not migrated)" in status.out
    revisions = list(migrations.script_directory().walk_revisions())
    assert f"Pending migrations: {len(revisions)}" in status.out

    migrate = dreamery("db", "migrate", env=cli_env, url=fresh_url)
    assert migrate.code == 0, migrate
    assert f"-> {migrations.head_revision()}" in migrate.out
    again = dreamery("db", "migrate", env=cli_env, url=fresh_url)
    assert "up to date" in again.out

    seed = dreamery("db", "seed", env=cli_env, url=fresh_url)
    assert seed.code == 0, seed
    assert "inserted" in seed.out and "89 user_roles" in seed.out
    reseed = dreamery("db", "seed", env=cli_env, url=fresh_url)
    assert reseed.code == 0, reseed
    assert "already up to date, nothing changed" in reseed.out

    status = dreamery("db", "status", env=cli_env, url=fresh_url)
    assert status.code == 0, status
    assert "Pending migrations: none" in status.out
    assert rows(status.out, "user_roles") == 89
    assert rows(status.out, "professional_categories") == 18
    assert rows(status.out, "users") == 0


def test_seed_demo_adds_professionals(fresh_url: str, cli_env: dict[str, str]) -> None:
    assert dreamery("db", "migrate", env=cli_env, url=fresh_url).code == 0
    seed = dreamery("db", "seed", "--demo", "40", env=cli_env, url=fresh_url)
    assert seed.code == 0, seed
    assert "added 40 professionals" in seed.out
    status = dreamery("db", "status", env=cli_env, url=fresh_url)
    assert rows(status.out, "users") == 40
    assert rows(status.out, "user_profiles") == 40
    assert rows(status.out, "analytics_metrics") == 40 * 6


def test_seed_refuses_bad_demo_counts(fresh_url: str, cli_env: dict[str, str]) -> None:
    result = dreamery("db", "seed", "--demo", "-3", env=cli_env, url=fresh_url)
    assert result.code == 2
    assert "--demo" in result.err
    assert "Traceback" not in result.err


def test_seed_before_migrate_says_so(fresh_url: str, cli_env: dict[str, str]) -> None:
    assert_one_line_error(dreamery("db", "seed", env=cli_env, url=fresh_url), "dreamery db migrate")


def test_status_masks_the_password(fresh_url: str, cli_env: dict[str, str], backend: str) -> None:
    assert dreamery("db", "migrate", env=cli_env, url=fresh_url).code == 0
    url = fresh_url
    if backend == "postgresql":  # trust authentication accepts any password
        url = make_url(fresh_url).set(password="hunter2-secret").render_as_string(False)
    result = dreamery("db", "status", env=cli_env, url=url)
    assert result.code == 0, result
    assert "hunter2-secret" not in result.out
    if backend == "postgresql":
        assert "***" in result.out


def test_reset_asks_first(fresh_seeded_url: str, cli_env: dict[str, str]) -> None:
    fresh_url = fresh_seeded_url
    assert dreamery("db", "seed", "--demo", "5", env=cli_env, url=fresh_url).code == 0

    refused = dreamery("db", "reset", env=cli_env, url=fresh_url)
    assert_one_line_error(refused, "--force")
    assert rows(dreamery("db", "status", env=cli_env, url=fresh_url).out, "users") == 5

    forced = dreamery("db", "reset", "--force", env=cli_env, url=fresh_url)
    assert forced.code == 0, forced
    status = dreamery("db", "status", env=cli_env, url=fresh_url)
    assert rows(status.out, "users") == 0
    assert rows(status.out, "user_roles") == 89
    assert "Pending migrations: none" in status.out


def test_generate_writes_nothing_when_models_and_migrations_agree(
    fresh_url: str, cli_env: dict[str, str]
) -> None:
    before = sorted(p.path for p in migrations.script_directory().walk_revisions())
    assert_one_line_error(
        dreamery("db", "generate", "-m", "nothing", env=cli_env, url=fresh_url),
        "dreamery db migrate",
    )
    assert dreamery("db", "migrate", env=cli_env, url=fresh_url).code == 0
    result = dreamery("db", "generate", "-m", "nothing", env=cli_env, url=fresh_url)
    assert result.code == 0, result
    assert "nothing to generate" in result.out
    assert sorted(p.path for p in migrations.script_directory().walk_revisions()) == before


def test_generate_needs_a_message(fresh_url: str, cli_env: dict[str, str]) -> None:
    missing = dreamery("db", "generate", env=cli_env, url=fresh_url)
    assert missing.code == 2 and "--message" in missing.err
    assert_one_line_error(
        dreamery("db", "generate", "-m", "  ", env=cli_env, url=fresh_url), "--message"
    )


def test_a_missing_migration_is_named(fresh_url: str, cli_env: dict[str, str]) -> None:
    assert dreamery("db", "migrate", env=cli_env, url=fresh_url).code == 0
    # Simulate a database migrated by a newer release whose migration file we do not have.
    import asyncio

    from dreamery.core.db import create_engine

    async def stamp() -> None:
        engine = create_engine(fresh_url)
        async with engine.begin() as connection:
            await connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed'")
        await engine.dispose()

    asyncio.run(stamp())
    for command in (["db", "status"], ["db", "migrate"], ["db", "seed"]):
        assert_one_line_error(dreamery(*command, env=cli_env, url=fresh_url), "f00dfeed")


def test_push_builds_an_empty_database(fresh_url: str, cli_env: dict[str, str]) -> None:
    result = dreamery("db", "push", env=cli_env, url=fresh_url)
    assert result.code == 0, result
    assert "create table users" in result.out
    again = dreamery("db", "push", env=cli_env, url=fresh_url)
    assert "already matches the models" in again.out


def _data_the_models_lack(url: str) -> None:
    """A table and a column the models do not have, each holding data (and a user, whose
    row keeps the column's value)."""
    import asyncio

    from dreamery.core.db import create_engine

    async def legacy() -> None:
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY)")
            await connection.exec_driver_sql("INSERT INTO legacy_notes (id) VALUES (1)")
            await connection.exec_driver_sql("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)")
            await connection.exec_driver_sql(
                "INSERT INTO professional_categories (id, name, sort_order, is_active, version) "
                "VALUES ('c', 'C', 0, true, 1)"
            )
            await connection.exec_driver_sql(
                "INSERT INTO user_roles (id, name, category_id, sort_order, is_active, version) "
                "VALUES ('r', 'R', 'c', 0, true, 1)"
            )
            sqlite = connection.dialect.name == "sqlite"
            one = (
                "00000000000000000000000000000001"
                if sqlite
                else "00000000-0000-0000-0000-000000000001"
            )
            await connection.exec_driver_sql(
                "INSERT INTO organizations (id, name, slug, kind, is_personal, settings, version) "
                f"VALUES ('{one}', 'A B', 'a-b', 'other', true, '{{}}', 1)"
            )
            await connection.exec_driver_sql(
                "INSERT INTO users (id, organization_id, email, first_name, last_name, role_id, "
                "is_active, is_admin, version, nickname) VALUES "
                f"('{one}', '{one}', 'a@example.com', 'A', 'B', 'r', true, false, 1, 'Al')"
            )
        await engine.dispose()

    asyncio.run(legacy())


def test_push_refuses_to_drop_data_unless_accepted(fresh_url: str, cli_env: dict[str, str]) -> None:
    assert dreamery("db", "push", env=cli_env, url=fresh_url).code == 0
    _data_the_models_lack(fresh_url)
    refused = dreamery("db", "push", env=cli_env, url=fresh_url)
    assert_one_line_error(
        refused, "legacy_notes holds 1 row", "users.nickname holds 1 value", "--accept-data-loss"
    )
    plan = dreamery("db", "push", "--dry-run", "--accept-data-loss", env=cli_env, url=fresh_url)
    assert plan.code == 0 and "Would apply" in plan.out

    accepted = dreamery("db", "push", "--accept-data-loss", env=cli_env, url=fresh_url)
    assert accepted.code == 0, accepted
    assert "drop table legacy_notes" in accepted.out
    assert "drop column users.nickname" in accepted.out
    status = dreamery("db", "status", env=cli_env, url=fresh_url)
    assert "legacy_notes" not in status.out
    assert rows(status.out, "users") == 1  # the row survives; only the column went


def test_push_drops_no_production_data_without_its_own_flag(
    fresh_url: str, cli_env: dict[str, str]
) -> None:
    production = cli_env | {"DREAMERY_ENV": "production"}
    # Creating tables loses nothing: push does that in production as anywhere.
    assert dreamery("db", "push", "--accept-data-loss", env=production, url=fresh_url).code == 0
    _data_the_models_lack(fresh_url)
    refused = dreamery("db", "push", "--accept-data-loss", env=production, url=fresh_url)
    assert_one_line_error(
        refused,
        "DREAMERY_ENV=production: db push --accept-data-loss would drop data",
        "legacy_notes holds 1 row",
        "users.nickname holds 1 value",
        "--delete-production-data",
    )
    assert "legacy_notes" in dreamery("db", "status", env=cli_env, url=fresh_url).out
    plan = dreamery("db", "push", "--dry-run", "--accept-data-loss", env=production, url=fresh_url)
    assert plan.code == 0 and "drop table legacy_notes" in plan.out

    done = dreamery(
        "db",
        "push",
        "--accept-data-loss",
        "--delete-production-data",
        env=production,
        url=fresh_url,
    )
    assert done.code == 0, done
    assert "legacy_notes" not in dreamery("db", "status", env=cli_env, url=fresh_url).out


def test_migrate_to_an_unknown_revision_is_refused(fresh_url: str, cli_env: dict[str, str]) -> None:
    result = dreamery("db", "migrate", "--revision", "nope123", env=cli_env, url=fresh_url)
    assert_one_line_error(result, "nope123")
    assert "none (not migrated)" in dreamery("db", "status", env=cli_env, url=fresh_url).out
