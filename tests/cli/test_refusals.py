"""Commands that need the schema refuse, in one line, a database that is missing, not migrated
or behind; `db status` only looks; `users set-password` is the way back in."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from dreamery import DatabaseService
from dreamery.core.db import create_engine
from dreamery.core.errors import AuthenticationError
from dreamery.migrations import runner as migrations
from dreamery.models import AuditLog
from tests.cli.runner import Result, assert_one_line_error, dreamery, dreamery_process
from tests.conftest import _asyncpg_dsn, _postgres_admin_url
from tests.serving import free_port

pytestmark = pytest.mark.usefixtures("backend")

# Every command that reads or writes the hub's tables.
NEEDS_THE_SCHEMA = [
    ["users", "ensure-admin"],
    ["users", "create-admin", "ops@example.com"],
    ["users", "set-password", "ops@example.com"],
    ["orgs", "list"],
    ["orgs", "create", "Acme Realty"],
    ["orgs", "add-member", "acme-realty", "ops@example.com"],
    ["audit", "verify"],
    ["db", "seed"],
    ["db", "generate", "-m", "anything"],
    ["db", "studio", "--no-browser"],
    ["serve"],
]
STRONG = "a quite long horse battery staple"


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database or "") if parsed.get_backend_name() == "sqlite" else None


def _second_to_last_revision() -> str:
    revisions = list(migrations.script_directory().walk_revisions())  # newest first
    return revisions[1].revision


@pytest.mark.parametrize("command", NEEDS_THE_SCHEMA, ids=lambda c: " ".join(c[:2]))
def test_a_missing_or_empty_database_is_refused_in_one_line(
    command: list[str], fresh_url: str, cli_env: dict[str, str]
) -> None:
    result = dreamery(*command, env=cli_env, url=fresh_url)
    file = _sqlite_file(fresh_url)
    if file is not None:
        assert_one_line_error(result, f"no database at {file}", "run `dreamery db migrate`")
        assert not file.exists(), "the check created the database"
        file.touch()  # an empty file: there, but not migrated
        result = dreamery(*command, env=cli_env, url=fresh_url)
    assert_one_line_error(result, "the database at", "is not migrated", "run `dreamery db migrate`")


def test_a_database_behind_the_code_is_refused_naming_both_revisions(
    fresh_url: str, cli_env: dict[str, str]
) -> None:
    older = _second_to_last_revision()
    assert dreamery("db", "migrate", "--revision", older, env=cli_env, url=fresh_url).code == 0
    # One database behind for every command: a refusal changes nothing, as the next shows.
    for command in (["users", "ensure-admin"], ["orgs", "list"], ["db", "seed"], ["serve"]):
        result = dreamery(*command, env=cli_env, url=fresh_url)
        assert_one_line_error(
            result,
            "is behind",
            f"at revision {older}",
            f"head is {migrations.head_revision()}",
            "run `dreamery db migrate`",
        )


@pytest.mark.process
def test_serve_refuses_before_listening(fresh_url: str, cli_env: dict[str, str]) -> None:
    port = free_port()
    result = dreamery_process("serve", "--port", str(port), env=cli_env, url=fresh_url)
    assert_one_line_error(result, "run `dreamery db migrate`")
    assert "Dreamery Hub" not in result.out and "Uvicorn running" not in result.out + result.err
    file = _sqlite_file(fresh_url)
    assert file is None or not file.exists()


def test_status_never_creates_a_database(
    fresh_url: str, cli_env: dict[str, str], backend: str
) -> None:
    file = _sqlite_file(fresh_url)
    if file is not None:
        assert_one_line_error(
            dreamery("db", "status", env=cli_env, url=fresh_url),
            f"no database at {file}",
            "run `dreamery db migrate`",
        )
        assert not file.exists()
        return
    missing = make_url(fresh_url).set(database=f"{make_url(fresh_url).database}_absent")
    absent = missing.render_as_string(hide_password=False)
    assert_one_line_error(
        dreamery("db", "status", env=cli_env, url=absent), "the database does not exist"
    )

    async def exists() -> bool:
        admin = await asyncpg.connect(_asyncpg_dsn(_postgres_admin_url()))
        try:
            found = await admin.fetchval(
                "SELECT count(*) FROM pg_database WHERE datname = $1", missing.database
            )
        finally:
            await admin.close()
        return bool(found)

    assert not asyncio.run(exists())
    empty = dreamery("db", "status", env=cli_env, url=fresh_url)
    assert empty.code == 0, empty
    assert "none (not migrated)" in empty.out
    assert "Run `dreamery db migrate`" in empty.out


async def _password_changes(url: str, email: str) -> list[dict[str, object]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            async with DatabaseService(url) as db:
                user = await db.find_user_by_email(email)
            rows = await connection.scalars(
                select(AuditLog.changes)
                .where(AuditLog.resource == "user", AuditLog.resource_id == str(user.id))
                .order_by(AuditLog.seq)
            )
            return [change for change in rows if change and "password_hash" in change]
    finally:
        await engine.dispose()


async def test_set_password_generates_one_and_prints_it_once(
    fresh_seeded_url: str, cli_env: dict[str, str]
) -> None:
    url = fresh_seeded_url
    made = await asyncio.to_thread(dreamery, "users", "ensure-admin", env=cli_env, url=url)
    assert made.code == 0, made
    assert "dreamery users set-password admin@example.com" in made.out
    old = made.out.split("stored only hashed): ")[1].split()[0]

    reset = await asyncio.to_thread(
        dreamery, "users", "set-password", "admin@example.com", env=cli_env, url=url
    )
    assert reset.code == 0, reset
    new = reset.out.split("stored only hashed): ")[1].split()[0]
    assert new != old and len(new) >= 20
    async with DatabaseService(url, redis_url="") as db:
        await db.sign_in("admin@example.com", new)
        with pytest.raises(AuthenticationError):
            await db.sign_in("admin@example.com", old)
    changes = await _password_changes(url, "admin@example.com")
    assert len(changes) == 2  # the first password, then the new one: both audited
    assert "argon2" not in str(changes) and new not in str(changes)  # recorded, redacted


async def test_set_password_asks_twice_and_applies_the_policy(
    fresh_seeded_url: str, cli_env: dict[str, str]
) -> None:
    url = fresh_seeded_url

    def set_password(stdin: str, email: str = "admin@example.com") -> Result:
        return dreamery(
            "users", "set-password", email, "--prompt", env=cli_env, url=url, stdin=stdin
        )

    await asyncio.to_thread(dreamery, "users", "ensure-admin", env=cli_env, url=url)
    weak = await asyncio.to_thread(set_password, "password\npassword\n")
    assert_one_line_error(weak, "password", "too easy to guess")

    chosen = await asyncio.to_thread(set_password, f"{STRONG}\n{STRONG}\n")
    assert chosen.code == 0, chosen
    assert STRONG not in chosen.out
    async with DatabaseService(url, redis_url="") as db:
        await db.sign_in("admin@example.com", STRONG)

    unknown = await asyncio.to_thread(
        dreamery, "users", "set-password", "nobody@example.com", env=cli_env, url=url
    )
    assert_one_line_error(unknown, "no user with email 'nobody@example.com'")


def test_a_backup_of_a_database_that_does_not_exist_makes_neither(
    fresh_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    file = _sqlite_file(fresh_url)
    url = fresh_url
    if file is None:
        url = make_url(fresh_url).set(database="dreamery_absent").render_as_string(False)
    target = tmp_path / "hub.backup"
    result = dreamery("db", "backup", str(target), env=cli_env, url=url)
    if file is not None:
        assert_one_line_error(result, f"no database at {file}", "run `dreamery db migrate`")
        assert not file.exists()
    else:
        assert_one_line_error(result, "the database does not exist")
    assert not target.exists()
