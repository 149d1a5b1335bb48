"""The audit trail is a hash chain that names the first row tampered with."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from dreamery.audit import service as audit
from dreamery.core.context import SYSTEM_ACTOR, Actor, RequestContext
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.models import AuditLog, User
from dreamery.models.enums import AuditAction
from tests import factories as make
from tests.cli.runner import assert_one_line_error, dreamery

pytestmark = pytest.mark.usefixtures("backend")

REQUEST = RequestContext(request_id="req-1", ip_address="203.0.113.7", user_agent="pytest")


async def append(session: AsyncSession, n: int, actor: Actor = SYSTEM_ACTOR) -> list[AuditLog]:
    return [
        await audit.record(
            session,
            actor=actor,
            request=REQUEST,
            action=AuditAction.UPDATE,
            resource="task",
            resource_id=f"task-{i}",
            changes={"status": ["pending", "completed"], "password_hash": ["a", "b"]},
        )
        for i in range(n)
    ]


async def test_rows_link_into_a_chain(session: AsyncSession) -> None:
    rows = await append(session, 4)
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 4))
    for earlier, later in itertools.pairwise(rows):
        assert later.prev_hash == earlier.hash
    assert rows[0].changes == {"status": ["pending", "completed"], "password_hash": ["***", "***"]}
    assert (rows[0].ip_address, rows[0].user_agent, rows[0].request_id) == (
        "203.0.113.7",
        "pytest",
        "req-1",
    )
    verdict = await audit.verify(session)
    assert verdict.ok, verdict.problem
    assert verdict.head_seq == rows[-1].seq


async def test_the_table_refuses_updates_and_deletes(session: AsyncSession) -> None:
    (row,) = await append(session, 1)
    for statement in (
        update(AuditLog).where(AuditLog.id == row.id).values(resource="nothing"),
        delete(AuditLog).where(AuditLog.id == row.id),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with session.begin_nested():
                await session.execute(statement)


async def test_purging_a_user_keeps_their_history(session: AsyncSession) -> None:
    person = await make.user(session)
    rows = await append(session, 2, Actor(user_id=person.id, role_id=person.role_id))
    await session.execute(delete(User).where(User.id == person.id))
    kept = (
        await session.scalars(select(AuditLog).where(AuditLog.id.in_([r.id for r in rows])))
    ).all()
    assert len(kept) == 2
    await asyncio.gather(*(session.refresh(r) for r in kept))
    assert all(r.user_id is None and r.actor == str(person.id) for r in kept)
    assert (await audit.verify(session)).ok


# --- tampering, on a committed trail ---------------------------------------------------------


@pytest.fixture
async def trail(
    migrated_url: str,
) -> AsyncIterator[tuple[str, async_sessionmaker[AsyncSession]]]:
    engine = create_engine(migrated_url)
    sessions = create_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await append(session, 6)
    yield migrated_url, sessions
    await engine.dispose()


async def tamper(sessions: async_sessionmaker[AsyncSession], *statements: str) -> None:
    """Change rows the way someone with direct database access could, around the triggers."""
    async with unit_of_work(sessions) as session:
        connection: AsyncConnection = await session.connection()
        if connection.dialect.name == "postgresql":
            await session.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            await session.execute(text("DROP TRIGGER IF EXISTS audit_logs_no_update"))
            await session.execute(text("DROP TRIGGER IF EXISTS audit_logs_no_delete"))
        for statement in statements:
            await session.execute(text(statement))


async def verdict_of(sessions: async_sessionmaker[AsyncSession], **kwargs: Any) -> audit.Verdict:
    async with unit_of_work(sessions, write=False) as session:
        return await audit.verify(session, **kwargs)


@pytest.mark.parametrize(
    ("statements", "bad_seq", "words"),
    [
        (["UPDATE audit_logs SET resource_id = 'task-99' WHERE seq = 3"], 3, "altered"),
        (["DELETE FROM audit_logs WHERE seq = 4"], 5, "missing"),
        (
            [
                "UPDATE audit_logs SET seq = seq + 100 WHERE seq >= 3",
                "UPDATE audit_logs SET seq = seq - 99 WHERE seq >= 103",
                "INSERT INTO audit_logs (id, actor, action, resource, resource_id, timestamp, "
                "seq, prev_hash, hash, created_at, updated_at) SELECT id || 'x', actor, action, "
                "resource, 'forged', timestamp, 3, prev_hash, hash, created_at, updated_at "
                "FROM audit_logs WHERE seq = 2",
            ],
            3,
            "does not link",
        ),
        (
            [
                "UPDATE audit_logs SET seq = 100 WHERE seq = 2",
                "UPDATE audit_logs SET seq = 2 WHERE seq = 5",
                "UPDATE audit_logs SET seq = 5 WHERE seq = 100",
            ],
            2,
            "does not link",
        ),
    ],
    ids=["altered", "removed", "inserted", "reordered"],
)
async def test_tampering_is_found_at_its_row(
    trail: tuple[str, async_sessionmaker[AsyncSession]],
    statements: list[str],
    bad_seq: int,
    words: str,
    backend: str,
) -> None:
    _, sessions = trail
    assert (await verdict_of(sessions)).ok
    if backend == "postgresql":
        statements = [s.replace("id || 'x'", "gen_random_uuid()") for s in statements]
    else:
        statements = [s.replace("id || 'x'", "lower(hex(randomblob(16)))") for s in statements]
    await tamper(sessions, *statements)
    verdict = await verdict_of(sessions)
    assert not verdict.ok
    assert verdict.first_bad_seq == bad_seq, verdict.problem
    assert verdict.problem is not None and words in verdict.problem


async def test_a_rewritten_chain_is_caught_by_an_exported_head(
    trail: tuple[str, async_sessionmaker[AsyncSession]], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    url, sessions = trail
    head = tmp_path / "head.json"
    exported = dreamery("audit", "verify", "--export-head", str(head), env=cli_env, url=url)
    assert exported.code == 0, exported
    assert "intact: 6 row(s), head seq 6" in exported.out
    assert json.loads(head.read_text())["seq"] == 6

    # Rewrite every row consistently: the chain verifies on its own...
    async with unit_of_work(sessions) as session:
        rows = (await session.scalars(select(AuditLog).order_by(AuditLog.seq))).all()
        forged, previous = [], audit.GENESIS
        for row in rows:
            row_values = {
                c: getattr(row, c)
                for c in (
                    "seq",
                    "actor",
                    "action",
                    "resource",
                    "changes",
                    "ip_address",
                    "user_agent",
                    "request_id",
                    "timestamp",
                )
            }
            digest = audit.row_hash(resource_id="rewritten", prev_hash=previous, **row_values)
            forged.append((row.seq, previous, digest))
            previous = digest
    await tamper(
        sessions,
        *(
            f"UPDATE audit_logs SET resource_id = 'rewritten', prev_hash = '{p}', hash = '{h}' "
            f"WHERE seq = {s}"
            for s, p, h in forged
        ),
    )
    alone = dreamery("audit", "verify", env=cli_env, url=url)
    assert alone.code == 0, alone
    # ...but not against the head exported before.
    caught = dreamery("audit", "verify", "--expect-head", str(head), env=cli_env, url=url)
    assert_one_line_error(caught, "seq 6", "rewritten")


async def test_verify_names_the_altered_row(
    trail: tuple[str, async_sessionmaker[AsyncSession]], cli_env: dict[str, str]
) -> None:
    url, sessions = trail
    await tamper(sessions, "UPDATE audit_logs SET actor = 'someone-else' WHERE seq = 2")
    assert_one_line_error(dreamery("audit", "verify", env=cli_env, url=url), "seq 2", "altered")


def test_a_bad_head_file_is_named(tmp_path: Path, cli_env: dict[str, str]) -> None:
    bad = tmp_path / "head.json"
    bad.write_text("not json")
    result = dreamery(
        "audit",
        "verify",
        "--expect-head",
        str(bad),
        env=cli_env,
        url=f"sqlite:///{tmp_path / 'x.db'}",
    )
    assert_one_line_error(result, "--expect-head")


async def test_concurrent_writers_make_one_linear_chain(
    trail: tuple[str, async_sessionmaker[AsyncSession]],
) -> None:
    _, sessions = trail

    async def writer(n: int) -> None:
        for _ in range(5):
            async with unit_of_work(sessions) as session:
                await append(session, 1, Actor(role_id=f"writer-{n}"))

    await asyncio.gather(*(writer(n) for n in range(8)))
    verdict = await verdict_of(sessions)
    assert verdict.ok, verdict.problem
    assert verdict.rows == 6 + 8 * 5
    async with unit_of_work(sessions, write=False) as session:
        seqs = (await session.scalars(select(AuditLog.seq).order_by(AuditLog.seq))).all()
        assert seqs == list(range(1, len(seqs) + 1))
        assert await session.scalar(select(func.count(func.distinct(AuditLog.prev_hash)))) == len(
            seqs
        )
