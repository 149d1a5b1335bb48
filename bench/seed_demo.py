"""Demo seeding throughput: `dreamery db seed --demo N` against the raw driver writing the
same rows (generation excluded), on SQLite and PostgreSQL, in one run."""

from __future__ import annotations

import sqlite3
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from dreamery.catalog.data import default_catalog
from dreamery.catalog.demo import (
    BATCH_SIZE,
    METRIC_COLUMNS,
    NOTIFICATION_COLUMNS,
    PROFILE_COLUMNS,
    RECORD_COLUMNS,
    REMINDER_COLUMNS,
    TASK_COLUMNS,
    USER_COLUMNS,
    DemoGenerator,
    seed_demo,
)
from dreamery.catalog.seed import seed_catalog
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.migrations import runner as migrations
from dreamery.models import ComplianceRequirement

TABLES = [
    ("users", "users", USER_COLUMNS),
    ("profiles", "user_profiles", PROFILE_COLUMNS),
    ("tasks", "tasks", TASK_COLUMNS),
    ("reminders", "reminders", REMINDER_COLUMNS),
    ("notifications", "notifications", NOTIFICATION_COLUMNS),
    ("metrics", "analytics_metrics", METRIC_COLUMNS),
    ("records", "compliance_records", RECORD_COLUMNS),
]


async def _prepare(url: str) -> dict[str, list[tuple[uuid.UUID, str]]]:
    await migrations.upgrade(url)
    engine = create_engine(url)
    async with unit_of_work(create_sessionmaker(engine)) as session:
        await seed_catalog(session)
        requirements: dict[str, list[tuple[uuid.UUID, str]]] = {}
        for row in await session.execute(
            select(
                ComplianceRequirement.id, ComplianceRequirement.role_id, ComplianceRequirement.name
            )
        ):
            requirements.setdefault(row.role_id, []).append((row.id, row.name))
    await engine.dispose()
    return requirements


async def _facade(url: str, users: int) -> tuple[float, int]:
    engine = create_engine(url)
    started = time.perf_counter()
    async with unit_of_work(create_sessionmaker(engine)) as session:
        report = await seed_demo(session, users, seed=1)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed, sum(report.rows.values())


def _batches(requirements: dict[str, Any], users: int) -> list[Any]:
    generator = DemoGenerator(default_catalog(), requirements, seed=2)
    batches, remaining = [], users
    while remaining > 0:
        size = min(BATCH_SIZE, remaining)
        batches.append(generator.batch(size))
        remaining -= size
    return batches


async def _raw_postgres(url: str, batches: list[Any]) -> float:
    import json

    connection = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(False)
    )
    json_columns = {"specialties", "tags"}
    prepared = []
    for batch in batches:
        for attribute, table, columns in TABLES:
            rows = [
                tuple(
                    json.dumps(v) if c in json_columns else (v.value if hasattr(v, "value") else v)
                    for c, v in zip(columns, row, strict=False)
                )
                for row in getattr(batch, attribute)
            ]
            prepared.append((table, columns, rows))
    started = time.perf_counter()
    async with connection.transaction():
        for table, columns, rows in prepared:
            await connection.copy_records_to_table(table, records=rows, columns=list(columns))
    elapsed = time.perf_counter() - started
    await connection.close()
    return elapsed


def _raw_sqlite(path: str, batches: list[Any]) -> float:
    import json
    from datetime import datetime

    def convert(column: str, value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, datetime):
            return value.replace(tzinfo=None).isoformat(sep=" ")
        if column in {"specialties", "tags"}:
            return json.dumps(value)
        return value.value if hasattr(value, "value") else value

    prepared = []
    for batch in batches:
        for attribute, table, columns in TABLES:
            rows = [
                tuple(convert(c, v) for c, v in zip(columns, row, strict=False))
                for row in getattr(batch, attribute)
            ]
            marks = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{c}"' for c in columns)
            prepared.append((f"INSERT INTO {table} ({names}) VALUES ({marks})", rows))
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    started = time.perf_counter()
    connection.execute("BEGIN")
    for statement, rows in prepared:
        connection.executemany(statement, rows)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


async def _one(backend: str, url_for: Any, users: int) -> list[str]:
    facade_url = await url_for("facade")
    requirements = await _prepare(facade_url)
    facade_seconds, row_count = await _facade(facade_url, users)

    raw_url = await url_for("raw")
    raw_requirements = await _prepare(raw_url)
    started = time.perf_counter()
    batches = _batches(raw_requirements, users)
    generation = time.perf_counter() - started
    if backend == "postgresql":
        raw_seconds = await _raw_postgres(raw_url, batches)
    else:
        raw_seconds = _raw_sqlite(make_url(raw_url).database or "", batches)
    del requirements
    return [
        f"| {backend} | {users:,} | {row_count:,} | {facade_seconds:.2f} s | "
        f"{users / facade_seconds:,.0f} | {generation:.2f} s | {raw_seconds:.2f} s | "
        f"{users / raw_seconds:,.0f} | {facade_seconds / (raw_seconds + generation):.2f}x |"
    ]


async def run(users: int, postgres_admin: str | None) -> None:
    lines = [
        f"### Demo seeding, {users:,} professionals",
        "",
        "| database | users | rows | `seed --demo` | users/s | raw: generate | raw: write "
        "| raw write users/s | seed / (generate + write) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:

        async def sqlite_url(name: str) -> str:
            return f"sqlite:///{Path(folder) / name}.db"

        lines += await _one("sqlite", sqlite_url, users)

    if postgres_admin:
        admin_dsn = make_url(postgres_admin).set(drivername="postgresql").render_as_string(False)
        created: list[str] = []

        async def postgres_url(name: str) -> str:
            database = f"dreamery_bench_{name}_{uuid.uuid4().hex[:6]}"
            admin = await asyncpg.connect(admin_dsn)
            await admin.execute(f'CREATE DATABASE "{database}"')
            await admin.close()
            created.append(database)
            return make_url(postgres_admin).set(database=database).render_as_string(False)

        try:
            lines += await _one("postgresql", postgres_url, users)
        finally:
            admin = await asyncpg.connect(admin_dsn)
            for database in created:
                await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.close()
    print("\n".join(lines))
