"""`dreamery db backup` / `restore`, and commands that drop data respecting production."""

from __future__ import annotations

import asyncio
import os
import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from dreamery import DatabaseService
from dreamery.core.db import create_engine
from dreamery.migrations import maintenance
from dreamery.models import Task
from tests.cli.runner import assert_one_line_error, dreamery

pytestmark = pytest.mark.usefixtures("backend")


async def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        return (await maintenance.status(engine)).row_counts
    finally:
        await engine.dispose()


async def _task_ids(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return {str(row) for row in (await connection.scalars(select(Task.id))).all()}
    finally:
        await engine.dispose()


async def test_a_backup_taken_under_write_load_restores_whole(
    fresh_seeded_url: str, fresh_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    source, target, file = fresh_seeded_url, fresh_url, tmp_path / "hub.backup"
    stop = asyncio.Event()
    written = 0

    async with DatabaseService(source, redis_url="") as db:
        owner = await db.create_user(
            {
                "email": f"load-{uuid.uuid4().hex[:8]}@example.com",
                "first_name": "Lo",
                "last_name": "Ad",
                "role_id": "handyman",
            }
        )

        async def write() -> None:
            nonlocal written
            while not stop.is_set():
                await db.create_task(
                    {"title": f"Load {written}", "role_id": "handyman", "user_id": str(owner.id)}
                )
                written += 1

        before = await _counts(source)
        writer = asyncio.create_task(write())
        await asyncio.sleep(0.2)  # the writer is going
        made = await asyncio.to_thread(dreamery, "db", "backup", str(file), env=cli_env, url=source)
        await asyncio.sleep(0.2)
        stop.set()
        await writer
    assert made.code == 0, made
    assert written > 0
    assert file.stat().st_size > 0 and not (tmp_path / ".hub.backup.partial").exists()

    restored = dreamery("db", "restore", str(file), "--force", env=cli_env, url=target)
    assert restored.code == 0, restored
    assert "Audit chain intact" in restored.out

    after = await _counts(source)
    copy = await _counts(target)
    # What nobody wrote meanwhile is there exactly; the tasks and their audit rows are a
    # moment of the writes, never more than the source had, never less than before.
    for table, count in before.items():
        if table in ("tasks", "audit_logs"):
            assert before[table] <= copy[table] <= after[table], table
        else:
            assert copy[table] == count, table
    assert await _task_ids(target) <= await _task_ids(source)
    audit = dreamery("audit", "verify", env=cli_env, url=target)
    assert audit.code == 0, audit


async def test_a_restore_refuses_what_it_cannot_take(
    database_url: str, fresh_url: str, cli_env: dict[str, str], tmp_path: Path, backend: str
) -> None:
    file = tmp_path / "hub.backup"
    assert dreamery("db", "backup", str(file), env=cli_env, url=database_url).code == 0
    again = dreamery("db", "backup", str(file), env=cli_env, url=database_url)
    assert_one_line_error(again, "exists", "--overwrite")
    assert (
        dreamery("db", "backup", str(file), "--overwrite", env=cli_env, url=database_url).code == 0
    )

    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    assert_one_line_error(
        dreamery("db", "restore", str(junk), "--force", env=cli_env, url=fresh_url),
        "is not a backup made by dreamery db backup",
    )
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if backend == "sqlite" else b"SQLite format 3\x00")
    assert_one_line_error(
        dreamery("db", "restore", str(other), "--force", env=cli_env, url=fresh_url),
        "backup; DATABASE_URL is",
    )
    # A database with data is not replaced without --force (no terminal to ask at).
    assert dreamery("db", "restore", str(file), "--force", env=cli_env, url=fresh_url).code == 0
    asked = dreamery("db", "restore", str(file), env=cli_env, url=fresh_url)
    assert_one_line_error(asked, "--force")


async def test_a_damaged_backup_is_refused_and_every_row_stays(
    fresh_seeded_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A backup cut short (a full disk, a copy stopped halfway) still starts like a backup.
    Restoring it fails, saying so, and leaves the database as it was: not emptied."""
    whole = tmp_path / "hub.backup"
    assert dreamery("db", "backup", str(whole), env=cli_env, url=fresh_seeded_url).code == 0
    before = await _counts(fresh_seeded_url)
    data = whole.read_bytes()
    # Cut past the table of contents of pg_restore's format, and within it.
    for name, size in (("half", len(data) // 2), ("head", 200)):
        cut = tmp_path / f"{name}.backup"
        cut.write_bytes(data[:size])
        refused = dreamery("db", "restore", str(cut), "--force", env=cli_env, url=fresh_seeded_url)
        assert_one_line_error(refused, f"{cut} is damaged", "nothing was changed")
        assert await _counts(fresh_seeded_url) == before, name
    audit = dreamery("audit", "verify", env=cli_env, url=fresh_seeded_url)
    assert audit.code == 0, audit


def test_backups_are_readable_by_their_owner_only(
    database_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A backup holds every password hash: mode 0600, whatever the umask, also when it
    replaces a file that others could read."""
    file = tmp_path / "hub.backup"
    file.write_bytes(b"an older file")
    file.chmod(0o644)
    umask = os.umask(0)
    try:
        made = dreamery("db", "backup", str(file), "--overwrite", env=cli_env, url=database_url)
    finally:
        os.umask(umask)
    assert made.code == 0, made
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["hub.backup"]


# SQLite is backed up through its own API, with no tool to install.
@pytest.mark.postgresql_only
def test_postgresql_backups_name_the_tools_they_need(
    database_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = cli_env | {"PATH": str(tmp_path)}
    result = dreamery("db", "backup", str(tmp_path / "x.backup"), env=env, url=database_url)
    assert_one_line_error(result, "pg_dump is needed", "postgresql-client")


async def test_reset_and_restore_refuse_production_data_without_their_own_flag(
    fresh_seeded_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    production = cli_env | {"DREAMERY_ENV": "production"}
    refused = dreamery("db", "reset", "--force", env=production, url=fresh_seeded_url)
    assert_one_line_error(
        refused, "DREAMERY_ENV=production", "would drop", "--delete-production-data"
    )
    assert "tables holding" in refused.err and "role_permissions" in refused.err
    counts = await _counts(fresh_seeded_url)
    assert counts["user_roles"] == 89  # nothing was dropped

    file = tmp_path / "hub.backup"
    assert dreamery("db", "backup", str(file), env=production, url=fresh_seeded_url).code == 0
    restore = dreamery("db", "restore", str(file), "--force", env=production, url=fresh_seeded_url)
    assert_one_line_error(restore, "DREAMERY_ENV=production", "--delete-production-data")

    done = dreamery(
        "db", "reset", "--force", "--delete-production-data", env=production, url=fresh_seeded_url
    )
    assert done.code == 0, done
    assert (await _counts(fresh_seeded_url))["user_roles"] == 89
