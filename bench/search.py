"""Search latency over 1,000,000 users on PostgreSQL: p50/p95/p99 of `search_users`.

Users are loaded with COPY (names, email and company in search_text, as the service writes
it); the trigram index is built after the load, as one would for a bulk import.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from faker import Faker
from sqlalchemy.engine import make_url

from dreamery import DatabaseService
from dreamery.catalog.data import default_catalog
from dreamery.catalog.seed import seed_catalog
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.core.ids import new_id
from dreamery.migrations import runner as migrations
from dreamery.models.users import SEARCH_POSTGRES_DDL, TRIGRAM_INDEX, search_text

BATCH = 50_000


def _typo(word: str, rnd: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rnd.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


async def _load(url: str, users: int, rnd: random.Random) -> list[tuple[str, str]]:
    fake = Faker("en_US")
    fake.seed_instance(11)
    firsts = list({fake.first_name() for _ in range(3000)})
    lasts = list({fake.last_name() for _ in range(6000)})
    companies = list({fake.company() for _ in range(4000)})
    roles = [role.id for _, role in default_catalog().roles]
    connection = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(False)
    )
    await connection.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    start = datetime.now(UTC) - timedelta(days=900)
    columns = [
        "id",
        "email",
        "first_name",
        "last_name",
        "role_id",
        "is_active",
        "is_admin",
        "search_text",
        "created_at",
        "updated_at",
        "version",
    ]
    for offset in range(0, users, BATCH):
        rows = []
        for n in range(offset, min(users, offset + BATCH)):
            first, last = rnd.choice(firsts), rnd.choice(lasts)
            email = f"{first}.{last}.{n}@example.com".lower()
            created = start + timedelta(seconds=n * 60)
            rows.append(
                (
                    new_id(),
                    email,
                    first,
                    last,
                    rnd.choice(roles),
                    True,
                    False,
                    search_text(first, last, email, rnd.choice(companies)),
                    created,
                    created,
                    1,
                )
            )
        await connection.copy_records_to_table("users", records=rows, columns=columns)
    for statement in SEARCH_POSTGRES_DDL:
        await connection.execute(statement)
    await connection.execute("ANALYZE users")
    await connection.close()
    queries = [("surname", rnd.choice(lasts)) for _ in range(80)]
    queries += [("4-letter prefix", rnd.choice(lasts)[:4]) for _ in range(40)]
    queries += [("surname with a typo", _typo(rnd.choice(lasts), rnd)) for _ in range(40)]
    queries += [("full name", f"{rnd.choice(firsts)} {rnd.choice(lasts)}") for _ in range(20)]
    queries += [("company word", rnd.choice(companies).split()[0]) for _ in range(20)]
    return queries


async def run(postgres_admin: str, users: int) -> None:
    rnd = random.Random(5)
    admin_dsn = make_url(postgres_admin).set(drivername="postgresql").render_as_string(False)
    name = f"dreamery_bench_search_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = make_url(postgres_admin).set(database=name).render_as_string(False)
    try:
        await migrations.upgrade(url)
        engine = create_engine(url)
        async with unit_of_work(create_sessionmaker(engine)) as session:
            await seed_catalog(session)
        await engine.dispose()
        started = time.perf_counter()
        queries = await _load(url, users, rnd)
        load = time.perf_counter() - started
        async with DatabaseService(url) as db:
            for _, query in queries[:20]:
                await db.search_users(query)
            timings, empty = [], 0
            by_kind: dict[str, list[float]] = {}
            for kind, query in queries:
                begun = time.perf_counter()
                found = await db.search_users(query)
                elapsed = (time.perf_counter() - begun) * 1000
                timings.append(elapsed)
                by_kind.setdefault(kind, []).append(elapsed)
                empty += not found
        quantiles = statistics.quantiles(timings, n=100)
        print(f"### search_users over {users:,} users (PostgreSQL, pg_trgm)\n")
        print(
            f"Load and index: {load:.0f} s. {len(queries)} queries (surnames, 4-letter "
            "prefixes, surnames with two letters swapped, full names, company words); "
            f"{empty} found nothing.\n"
        )
        print("| p50 | p95 | p99 | max |\n|---|---|---|---|")
        print(
            f"| {quantiles[49]:.1f} ms | {quantiles[94]:.1f} ms | {quantiles[98]:.1f} ms | "
            f"{max(timings):.1f} ms |"
        )
        print("\n| query kind | queries | median | max |\n|---|---|---|---|")
        for kind, values in by_kind.items():
            print(
                f"| {kind} | {len(values)} | {statistics.median(values):.1f} ms | "
                f"{max(values):.1f} ms |"
            )
    finally:
        admin = await asyncpg.connect(admin_dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
