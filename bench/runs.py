"""A workflow step's submission through the facade against the raw driver, in one run.

The step is a data step with three rules, the next of a chain of twelve; the caller is the
agent the step is assigned to, on their own case. Both sides do the same work in one
transaction: lock the step and its run, check that the caller takes part in the case, judge
the data by the step's rules (the same rule function), mark the step done with its data,
unblock the next step, append the run's events, bump the run's version, write the audit rows
(the same hash chain, as many rows as the facade writes) and answer with the run's steps.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.service import RawPostgres, RawSQLite, _timed
from dreamery import DatabaseService
from dreamery.catalog.seed import seed_catalog
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.migrations import runner as migrations
from dreamery.models import AuditLog, RunEvent
from dreamery.models.enums import ValidationRuleType
from dreamery.workflows.rules import failed_rules

STEPS = 12
DATA = {"price": 415000, "buyer_email": "dana@example.com", "note": "Offer sent with the letter."}
RULES = [
    {"field": "price", "rule_type": "min_value", "value": 1000, "message": "Offer a price."},
    {"field": "buyer_email", "rule_type": "email", "message": "Give the buyer's address."},
    {"field": "note", "rule_type": "min_length", "value": 10, "message": "Say what was sent."},
]


@dataclass(frozen=True)
class _Rule:
    field: str
    rule_type: ValidationRuleType
    value: Any
    message: str
    order: int


def _judge(steps: list[dict[str, Any]], key: str, data: dict[str, Any], today: date) -> None:
    spec = next(s for s in steps if s["key"] == key)
    rules = [
        _Rule(r["field"], ValidationRuleType(r["rule_type"]), r["value"], r["message"], r["order"])
        for r in spec["rules"]
    ]
    failures = failed_rules(rules, data, today=today)
    assert not failures, failures


def _unblocked(steps: list[dict[str, Any]], states: dict[str, str]) -> list[str]:
    return [
        s["key"]
        for s in steps
        if states[s["key"]] == "blocked"
        and all(states[d] in ("done", "skipped") for d in s["depends_on"])
    ]


class RawRunsPostgres(RawPostgres):
    async def submit(
        self, run_id: uuid.UUID, number: int, user_id: uuid.UUID, audits: int
    ) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        async with self.c.transaction():
            row = await self.c.fetchrow(
                "SELECT s.id, s.status, s.step_key, s.assignee_id, r.case_id, "
                "r.organization_id, r.status AS run_status, v.steps FROM step_runs s "
                "JOIN workflow_runs r ON r.id = s.run_id "
                "JOIN workflow_versions v ON v.id = r.workflow_version_id "
                'WHERE s.run_id = $1 AND s."order" = $2 FOR UPDATE OF s, r',
                run_id,
                number,
            )
            assert row["run_status"] == "active" and row["status"] == "ready"
            taking_part = await self.c.fetchval(
                "SELECT count(*) FROM case_participants WHERE case_id = $1 AND user_id = $2",
                row["case_id"],
                user_id,
            )
            assert taking_part and row["assignee_id"] == user_id
            steps = json.loads(row["steps"])
            _judge(steps, row["step_key"], DATA, now.date())
            states = {
                r["step_key"]: r["status"]
                for r in await self.c.fetch(
                    "SELECT step_key, status FROM step_runs WHERE run_id = $1", run_id
                )
            }
            states[row["step_key"]] = "done"
            ready = _unblocked(steps, states)
            await self.c.execute(
                "UPDATE step_runs SET status = 'done', data = $2, submitted_by = $3, "
                "submitted_at = $4, completed_by = $3, completed_at = $4, "
                "version = version + 1, updated_at = $4 WHERE id = $1",
                row["id"],
                json.dumps(DATA),
                user_id,
                now,
            )
            await self.c.execute(
                "UPDATE step_runs SET status = 'ready', version = version + 1, updated_at = $3 "
                "WHERE run_id = $1 AND step_key = ANY($2)",
                run_id,
                ready,
                now,
            )
            last = await self.c.fetchval(
                "SELECT coalesce(max(sequence), 0) FROM run_events WHERE run_id = $1", run_id
            )
            events = [("submitted", row["step_key"], "ready", "done")] + [
                ("unblocked", key, "blocked", "ready") for key in ready
            ]
            await self.c.executemany(
                "INSERT INTO run_events (id, organization_id, run_id, case_id, sequence, kind, "
                "step_key, actor_id, from_status, to_status, details, at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}', $11)",
                [
                    (
                        uuid.uuid4(),
                        row["organization_id"],
                        run_id,
                        row["case_id"],
                        last + n,
                        kind,
                        key,
                        user_id,
                        was,
                        now_is,
                        now,
                    )
                    for n, (kind, key, was, now_is) in enumerate(events, start=1)
                ],
            )
            await self.c.execute(
                "UPDATE workflow_runs SET version = version + 1, updated_at = $2 WHERE id = $1",
                run_id,
                now,
            )
            for _ in range(audits):
                await self._audit(
                    "step_run", str(row["id"]), "change_status", {"status": ["ready", "done"]}
                )
            answer = await self.c.fetch(
                'SELECT * FROM step_runs WHERE run_id = $1 ORDER BY "order"', run_id
            )
        return [dict(r) for r in answer]


class RawRunsSQLite(RawSQLite):
    async def submit(
        self, run_id: uuid.UUID, number: int, user_id: uuid.UUID, audits: int
    ) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        stamp = now.replace(tzinfo=None).isoformat(sep=" ")
        c = self.c
        c.execute("BEGIN IMMEDIATE")
        row = c.execute(
            "SELECT s.id, s.status, s.step_key, s.assignee_id, r.case_id, "
            "r.organization_id, r.status AS run_status, v.steps FROM step_runs s "
            "JOIN workflow_runs r ON r.id = s.run_id "
            "JOIN workflow_versions v ON v.id = r.workflow_version_id "
            'WHERE s.run_id = ? AND s."order" = ?',
            (run_id.hex, number),
        ).fetchone()
        assert row["run_status"] == "active" and row["status"] == "ready"
        (taking_part,) = c.execute(
            "SELECT count(*) FROM case_participants WHERE case_id = ? AND user_id = ?",
            (row["case_id"], user_id.hex),
        ).fetchone()
        assert taking_part and row["assignee_id"] == user_id.hex
        steps = json.loads(row["steps"])
        _judge(steps, row["step_key"], DATA, now.date())
        states = dict(
            c.execute("SELECT step_key, status FROM step_runs WHERE run_id = ?", (run_id.hex,))
        )
        states[row["step_key"]] = "done"
        ready = _unblocked(steps, states)
        c.execute(
            "UPDATE step_runs SET status = 'done', data = ?, submitted_by = ?, "
            "submitted_at = ?, completed_by = ?, completed_at = ?, version = version + 1, "
            "updated_at = ? WHERE id = ?",
            (json.dumps(DATA), user_id.hex, stamp, user_id.hex, stamp, stamp, row["id"]),
        )
        c.executemany(
            "UPDATE step_runs SET status = 'ready', version = version + 1, updated_at = ? "
            "WHERE run_id = ? AND step_key = ?",
            [(stamp, run_id.hex, key) for key in ready],
        )
        (last,) = c.execute(
            "SELECT coalesce(max(sequence), 0) FROM run_events WHERE run_id = ?", (run_id.hex,)
        ).fetchone()
        events = [("submitted", row["step_key"], "ready", "done")] + [
            ("unblocked", key, "blocked", "ready") for key in ready
        ]
        c.executemany(
            "INSERT INTO run_events (id, organization_id, run_id, case_id, sequence, kind, "
            "step_key, actor_id, from_status, to_status, details, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?)",
            [
                (
                    uuid.uuid4().hex,
                    row["organization_id"],
                    run_id.hex,
                    row["case_id"],
                    last + n,
                    kind,
                    key,
                    user_id.hex,
                    was,
                    now_is,
                    stamp,
                )
                for n, (kind, key, was, now_is) in enumerate(events, start=1)
            ],
        )
        c.execute(
            "UPDATE workflow_runs SET version = version + 1, updated_at = ? WHERE id = ?",
            (stamp, run_id.hex),
        )
        for _ in range(audits):
            self._audit("step_run", row["id"], "change_status", {"status": ["ready", "done"]})
        answer = c.execute(
            'SELECT * FROM step_runs WHERE run_id = ? ORDER BY "order"', (run_id.hex,)
        ).fetchall()
        c.execute("COMMIT")
        return [dict(r) for r in answer]


async def _deal(db: DatabaseService, runs: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """An agent with `runs` runs of a twelve-step chain of data steps, one per case."""
    agent = await db.create_user(
        {
            "email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Bench",
            "last_name": "Agent",
            "role_id": "real-estate-agent",
        }
    )
    workflow = await db.create_workflow(
        {
            "name": f"Bench chain {uuid.uuid4().hex[:6]}",
            "role_id": "real-estate-agent",
            "steps": [
                {
                    "name": f"Step {n}",
                    "order": n,
                    "kind": "data",
                    "estimated_duration": 10,
                    "required_fields": ["price"],
                    "validation_rules": RULES,
                }
                for n in range(1, STEPS + 1)
            ],
        }
    )
    made = {s.order: s for s in (await db.find_workflow_steps(workflow_id=workflow.id)).items}
    for n in range(2, STEPS + 1):
        await db.update_workflow_step(
            made[n].id, {"dependencies": [str(made[n - 1].id)]}, expected_version=made[n].version
        )
    as_agent = db.acting_as(agent.id)
    run_ids = []
    for n in range(runs):
        case = await as_agent.create_case(
            {
                "title": f"Bench case {n}",
                "kind": "purchase",
                "case_role": "buyers_agent",
                "country": "US",
                "start_default_workflow": False,
            }
        )
        run_ids.append((await as_agent.start_run(case.id, workflow.id)).id)
    return agent.id, run_ids


def _steps(run_ids: list[uuid.UUID]) -> Iterator[tuple[uuid.UUID, int]]:
    """Each run's steps in turn: every call submits the next ready step."""
    for run_id in run_ids:
        for number in range(1, STEPS + 1):
            yield run_id, number


async def _written(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            audits = await session.scalar(select(func.count()).select_from(AuditLog))
            events = await session.scalar(select(func.count()).select_from(RunEvent))
    finally:
        await engine.dispose()
    return int(audits or 0), int(events or 0)


async def run_backend(backend: str, url: str, n: int) -> list[str]:
    await migrations.upgrade(url)
    engine = create_engine(url)
    async with unit_of_work(create_sessionmaker(engine)) as session:
        await seed_catalog(session)
    await engine.dispose()
    db = DatabaseService(url)
    calls = n + min(20, n) + 1  # _timed warms up with up to 20 calls first; one to count
    runs_each = -(-calls // STEPS)
    agent_id, facade_runs = await _deal(db, runs_each)
    _, raw_runs = await _deal(db, runs_each)
    as_agent = db.acting_as(agent_id)
    raw_agent = (await db.find_step_runs(run_id=raw_runs[0], limit=1)).items[0].assignee_id
    assert raw_agent is not None
    if backend == "postgresql":
        connection = await asyncpg.connect(
            make_url(url).set(drivername="postgresql").render_as_string(False)
        )
        raw: Any = RawRunsPostgres(connection)
    else:
        raw = RawRunsSQLite(make_url(url).database or "")

    facade_steps, raw_steps = _steps(facade_runs), _steps(raw_runs)

    async def facade(_: int) -> Any:
        run_id, number = next(facade_steps)
        return await as_agent.submit_step(run_id, number, DATA)

    # What one facade submission writes, that the raw side writes as much.
    before = await _written(url)
    await facade(0)
    after = await _written(url)
    audits, events = after[0] - before[0], after[1] - before[1]

    async def hand(_: int) -> Any:
        run_id, number = next(raw_steps)
        return await raw.submit(run_id, number, raw_agent, audits)

    await hand(0)
    assert await _written(url) == (after[0] + audits, after[1] + events)
    timings: dict[str, Callable[[int], Awaitable[Any]]] = {"facade": facade, "raw": hand}
    f = await _timed(timings["facade"], n)
    r = await _timed(timings["raw"], n)
    await db.close()
    if backend == "postgresql":
        await connection.close()
    return [
        f"| {backend} | submit_step (3 rules; {audits} audit rows, {events} run events) | "
        f"{f * 1e6:,.0f} µs | {r * 1e6:,.0f} µs | {f / r:.2f}x |"
    ]


async def run(postgres_admin: str | None, n: int) -> None:
    import tempfile
    from pathlib import Path

    lines = [
        f"### A workflow step's submission: facade against the raw driver ({n} calls each)",
        "",
        "| database | operation | facade | raw driver | facade / raw |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        lines += await run_backend("sqlite", f"sqlite:///{Path(folder) / 'runs.db'}", n)
    if postgres_admin:
        admin_dsn = make_url(postgres_admin).set(drivername="postgresql").render_as_string(False)
        name = f"dreamery_bench_runs_{uuid.uuid4().hex[:6]}"
        admin = await asyncpg.connect(admin_dsn)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        try:
            url = make_url(postgres_admin).set(database=name).render_as_string(False)
            lines += await run_backend("postgresql", url, n)
        finally:
            admin = await asyncpg.connect(admin_dsn)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    print("\n".join(lines))
