"""The service facade against hand-written code on the raw driver, in one run.

For each operation both sides do the same work and return the same data: the raw side is
what a careful engineer would write by hand on asyncpg or sqlite3 (one transaction per call,
like the facade's unit of work; the same audit hash chain for writes). Reported: mean time per
call and the facade/raw ratio; plus a keyset page at depth 100,000 against page 1.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from dreamery import DatabaseService
from dreamery.audit.service import GENESIS, row_hash
from dreamery.catalog.demo import seed_demo
from dreamery.catalog.seed import seed_catalog
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.core.pagination import encode_cursor
from dreamery.migrations import runner as migrations
from dreamery.models.users import fold, search_text
from dreamery.users.search import TYPO_THRESHOLD

USER_COLUMNS = (
    "id, email, first_name, last_name, role_id, is_active, is_admin, "
    "last_login_at, deleted_at, version, created_at, updated_at"
)
PROFILE_COLUMNS = (
    "id, user_id, phone, company, license_number, specialties, experience, bio, "
    "avatar, deleted_at, version, created_at, updated_at"
)
AUDIT_INSERT = (
    "INSERT INTO audit_logs (id, user_id, actor, action, resource, resource_id, changes, "
    "ip_address, user_agent, request_id, timestamp, seq, prev_hash, hash, created_at, "
    "updated_at) VALUES ({})"
)


def _audit_row(
    last: Any, resource: str, resource_id: str, action: str, changes: dict[str, Any]
) -> dict[str, Any]:
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    now = datetime.now(UTC)
    digest = row_hash(
        seq=seq,
        actor="system",
        action=action,
        resource=resource,
        resource_id=resource_id,
        changes=changes,
        ip_address=None,
        user_agent=None,
        request_id=None,
        timestamp=now,
        prev_hash=prev,
    )
    return {"id": uuid.uuid4(), "seq": seq, "prev": prev, "hash": digest, "now": now}


class RawPostgres:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self.c = connection

    async def _audit(
        self, resource: str, resource_id: str, action: str, changes: dict[str, Any]
    ) -> None:
        await self.c.execute("SELECT pg_advisory_xact_lock(1562467607)")
        last = await self.c.fetchrow("SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1")
        a = _audit_row(last, resource, resource_id, action, changes)
        await self.c.execute(
            AUDIT_INSERT.format(", ".join(f"${i}" for i in range(1, 17))),
            a["id"],
            None,
            "system",
            action,
            resource,
            resource_id,
            json.dumps(changes),
            None,
            None,
            None,
            a["now"],
            a["seq"],
            a["prev"],
            a["hash"],
            a["now"],
            a["now"],
        )

    async def by_id(self, user_id: uuid.UUID) -> dict[str, Any]:
        async with self.c.transaction():
            row = await self.c.fetchrow(
                f"SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL", user_id
            )
        return dict(row)

    async def page(self, role_id: str) -> list[dict[str, Any]]:
        async with self.c.transaction():
            users = await self.c.fetch(
                f"SELECT {USER_COLUMNS} FROM users WHERE role_id = $1 AND deleted_at IS NULL "
                "ORDER BY created_at DESC, id DESC LIMIT 51",
                role_id,
            )
            profiles = await self.c.fetch(
                f"SELECT {PROFILE_COLUMNS} FROM user_profiles WHERE user_id = ANY($1)",
                [u["id"] for u in users[:50]],
            )
        by_user = {p["user_id"]: dict(p) for p in profiles}
        return [{**dict(u), "profile": by_user.get(u["id"])} for u in users[:50]]

    async def search(self, query: str) -> list[dict[str, Any]]:
        needle = fold(query)
        async with self.c.transaction():
            rows = await self.c.fetch(
                f"SELECT {USER_COLUMNS} FROM users WHERE search_text LIKE $1 AND deleted_at "
                "IS NULL ORDER BY CASE WHEN lower(first_name) LIKE $2 OR lower(last_name) "
                "LIKE $2 THEN 0 ELSE 1 END, last_name, first_name, id LIMIT 20",
                f"%{needle}%",
                f"{needle}%",
            )
            if not rows and len(needle) >= 4:
                await self.c.execute(
                    "SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)",
                    TYPO_THRESHOLD,
                )
                rows = await self.c.fetch(
                    f"SELECT {USER_COLUMNS} FROM users WHERE search_text %> $1 AND "
                    "deleted_at IS NULL ORDER BY word_similarity($1, search_text) DESC, id "
                    "LIMIT 20",
                    needle,
                )
        return [dict(r) for r in rows]

    async def create_user(self, n: int) -> dict[str, Any]:
        """As the hub makes one: a personal organization, the user, their membership of it
        as its owner, and an audit row for each."""
        user_id, organization_id, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
        email = f"raw{n}.{user_id.hex[:8]}@example.com"
        async with self.c.transaction():
            kind = await self.c.fetchval("SELECT category_id FROM user_roles WHERE id = 'buyer'")
            taken = await self.c.fetchval(
                "SELECT count(*) FROM organizations WHERE slug = $1", f"raw-bench-{user_id.hex}"
            )
            assert kind and not taken
            await self.c.execute(
                "INSERT INTO organizations (id, name, slug, kind, is_personal, settings, "
                "created_at, updated_at, version) VALUES ($1, 'Raw Bench', $2, 'brokerage', "
                "true, '{}', $3, $3, 1)",
                organization_id,
                f"raw-bench-{user_id.hex}",
                now,
            )
            await self._audit(
                "organization",
                str(organization_id),
                "create",
                {"name": [None, "Raw Bench"], "is_personal": [None, True]},
            )
            row = await self.c.fetchrow(
                f"INSERT INTO users (id, organization_id, email, first_name, last_name, role_id, "
                "is_active, is_admin, search_text, role_verified_at, created_at, updated_at, "
                "version) VALUES ($1, $2, $3, 'Raw', 'Bench', 'buyer', true, false, $4, $5, $5, "
                f"$5, 1) RETURNING {USER_COLUMNS}",
                user_id,
                organization_id,
                email,
                search_text("Raw", "Bench", email),
                now,
            )
            changes = {"email": [None, email], "first_name": [None, "Raw"]}
            await self._audit("user", str(user_id), "create", changes)
            membership_id = uuid.uuid4()
            await self.c.execute(
                "INSERT INTO memberships (id, user_id, organization_id, org_role, status, "
                "joined_at, created_at, updated_at, version) VALUES ($1, $2, $3, 'owner', "
                "'active', $4, $4, $4, 1)",
                membership_id,
                user_id,
                organization_id,
                now,
            )
            await self._audit(
                "membership", str(membership_id), "create", {"org_role": [None, "owner"]}
            )
        return dict(row)

    async def task_status(self, task_id: uuid.UUID, status: str) -> dict[str, Any]:
        async with self.c.transaction():
            current = await self.c.fetchrow(
                "SELECT status, version FROM tasks WHERE id = $1 AND deleted_at IS NULL", task_id
            )
            now = datetime.now(UTC)
            row = await self.c.fetchrow(
                "UPDATE tasks SET status = $1, completed_at = NULL, version = version + 1, "
                "updated_at = $2 WHERE id = $3 AND version = $4 RETURNING *",
                status,
                now,
                task_id,
                current["version"],
            )
            changes = {"status": [current["status"], status]}
            await self._audit("task", str(task_id), "change_status", changes)
        return dict(row)


class RawSQLite:
    def __init__(self, path: str) -> None:
        self.c = sqlite3.connect(path, isolation_level=None)
        self.c.row_factory = sqlite3.Row
        self.c.execute("PRAGMA foreign_keys = ON")
        self.c.execute("PRAGMA busy_timeout = 30000")

    def _audit(self, resource: str, resource_id: str, action: str, changes: dict[str, Any]) -> None:
        last = self.c.execute(
            "SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        a = _audit_row(tuple(last) if last else None, resource, resource_id, action, changes)
        at = a["now"].replace(tzinfo=None).isoformat(sep=" ")
        self.c.execute(
            AUDIT_INSERT.format(", ".join("?" for _ in range(16))),
            (
                a["id"].hex,
                None,
                "system",
                action,
                resource,
                resource_id,
                json.dumps(changes),
                None,
                None,
                None,
                at,
                a["seq"],
                a["prev"],
                a["hash"],
                at,
                at,
            ),
        )

    async def by_id(self, user_id: uuid.UUID) -> dict[str, Any]:
        self.c.execute("BEGIN")
        row = self.c.execute(
            f"SELECT {USER_COLUMNS} FROM users WHERE id = ? AND deleted_at IS NULL", (user_id.hex,)
        ).fetchone()
        self.c.execute("COMMIT")
        return dict(row)

    async def page(self, role_id: str) -> list[dict[str, Any]]:
        self.c.execute("BEGIN")
        users = self.c.execute(
            f"SELECT {USER_COLUMNS} FROM users WHERE role_id = ? AND deleted_at IS NULL "
            "ORDER BY created_at DESC, id DESC LIMIT 51",
            (role_id,),
        ).fetchall()
        ids = [u["id"] for u in users[:50]]
        profiles = (
            self.c.execute(
                f"SELECT {PROFILE_COLUMNS} FROM user_profiles WHERE user_id IN "
                f"({', '.join('?' for _ in ids)})",
                ids,
            ).fetchall()
            if ids
            else []
        )
        self.c.execute("COMMIT")
        by_user = {p["user_id"]: dict(p) for p in profiles}
        return [{**dict(u), "profile": by_user.get(u["id"])} for u in users[:50]]

    async def search(self, query: str) -> list[dict[str, Any]]:
        self.c.execute("BEGIN")
        rows = self.c.execute(
            f"SELECT {', '.join('users.' + c for c in USER_COLUMNS.split(', '))} FROM users "
            "JOIN users_fts ON users_fts.rowid = users.rowid WHERE users_fts MATCH ? AND "
            "users.deleted_at IS NULL ORDER BY CASE WHEN lower(first_name) LIKE ? OR "
            "lower(last_name) LIKE ? THEN 0 ELSE 1 END, bm25(users_fts), users.id LIMIT 20",
            (f'"{query.lower()}"*', f"{query.lower()}%", f"{query.lower()}%"),
        ).fetchall()
        self.c.execute("COMMIT")
        return [dict(r) for r in rows]

    async def create_user(self, n: int) -> dict[str, Any]:
        """As the hub makes one: a personal organization, the user, their membership of it
        as its owner, and an audit row for each."""
        user_id, organization_id, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
        stamp = now.replace(tzinfo=None).isoformat(sep=" ")
        email = f"raw{n}.{user_id.hex[:8]}@example.com"
        self.c.execute("BEGIN IMMEDIATE")
        kind = self.c.execute("SELECT category_id FROM user_roles WHERE id = 'buyer'").fetchone()
        taken = self.c.execute(
            "SELECT count(*) FROM organizations WHERE slug = ?", (f"raw-bench-{user_id.hex}",)
        ).fetchone()
        assert kind and not taken[0]
        self.c.execute(
            "INSERT INTO organizations (id, name, slug, kind, is_personal, settings, created_at, "
            "updated_at, version) VALUES (?, 'Raw Bench', ?, 'brokerage', 1, '{}', ?, ?, 1)",
            (organization_id.hex, f"raw-bench-{user_id.hex}", stamp, stamp),
        )
        self._audit(
            "organization",
            str(organization_id),
            "create",
            {"name": [None, "Raw Bench"], "is_personal": [None, True]},
        )
        row = self.c.execute(
            f"INSERT INTO users (id, organization_id, email, first_name, last_name, role_id, "
            f"is_active, is_admin, search_text, role_verified_at, created_at, updated_at, "
            f"version) VALUES (?, ?, ?, 'Raw', 'Bench', 'buyer', 1, 0, ?, ?, ?, ?, 1) "
            f"RETURNING {USER_COLUMNS}",
            (
                user_id.hex,
                organization_id.hex,
                email,
                search_text("Raw", "Bench", email),
                stamp,
                stamp,
                stamp,
            ),
        ).fetchone()
        changes = {"email": [None, email], "first_name": [None, "Raw"]}
        self._audit("user", str(user_id), "create", changes)
        membership_id = uuid.uuid4()
        self.c.execute(
            "INSERT INTO memberships (id, user_id, organization_id, org_role, status, joined_at, "
            "created_at, updated_at, version) VALUES (?, ?, ?, 'owner', 'active', ?, ?, ?, 1)",
            (membership_id.hex, user_id.hex, organization_id.hex, stamp, stamp, stamp),
        )
        self._audit("membership", str(membership_id), "create", {"org_role": [None, "owner"]})
        self.c.execute("COMMIT")
        return dict(row)

    async def task_status(self, task_id: uuid.UUID, status: str) -> dict[str, Any]:
        self.c.execute("BEGIN IMMEDIATE")
        current = self.c.execute(
            "SELECT status, version FROM tasks WHERE id = ? AND deleted_at IS NULL", (task_id.hex,)
        ).fetchone()
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        row = self.c.execute(
            "UPDATE tasks SET status = ?, completed_at = NULL, version = version + 1, "
            "updated_at = ? WHERE id = ? AND version = ? RETURNING *",
            (status, now, task_id.hex, current["version"]),
        ).fetchone()
        changes = {"status": [current["status"], status]}
        self._audit("task", str(task_id), "change_status", changes)
        self.c.execute("COMMIT")
        return dict(row)


async def _timed(call: Callable[[int], Awaitable[Any]], n: int) -> float:
    for i in range(min(20, n)):
        await call(i)
    started = time.perf_counter()
    for i in range(n):
        await call(i)
    return (time.perf_counter() - started) / n


async def _prepare(url: str, users: int) -> None:
    await migrations.upgrade(url)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await seed_catalog(session)
    async with unit_of_work(sessions) as session:
        await seed_demo(session, users, seed=3)
    await engine.dispose()


async def _deep_page(
    db: DatabaseService, raw_first: Any, depth: int, runs: int = 30
) -> tuple[float, float]:
    first_row = await raw_first(depth)
    cursor = encode_cursor("user:created_at:True", (first_row[0], first_row[1]))

    async def page_one() -> None:
        await db.find_users(limit=50)

    async def page_deep() -> None:
        await db.find_users(limit=50, cursor=cursor)

    times: dict[str, list[float]] = {"one": [], "deep": []}
    for _ in range(runs):
        for name, call in (("one", page_one), ("deep", page_deep)):
            started = time.perf_counter()
            await call()
            times[name].append(time.perf_counter() - started)
    return statistics.median(times["one"]), statistics.median(times["deep"])


async def run_backend(backend: str, url: str, users: int, n: int) -> list[str]:
    await _prepare(url, users)
    db = DatabaseService(url)
    if backend == "postgresql":
        raw_conn = await asyncpg.connect(
            make_url(url).set(drivername="postgresql").render_as_string(False)
        )
        raw: Any = RawPostgres(raw_conn)

        async def nth(depth: int) -> Any:
            row = await raw_conn.fetchrow(
                "SELECT created_at, id FROM users WHERE deleted_at IS NULL "
                "ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1",
                depth - 1,
            )
            return row["created_at"], row["id"]
    else:
        raw = RawSQLite(make_url(url).database or "")

        async def nth(depth: int) -> Any:
            created, hex_id = raw.c.execute(
                "SELECT created_at, id FROM users WHERE deleted_at IS NULL "
                "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
                (depth - 1,),
            ).fetchone()
            return datetime.fromisoformat(created).replace(tzinfo=UTC), uuid.UUID(hex_id)

    ids = [u.id for u in (await db.find_users(limit=100)).items]
    role = "buyer"
    task = (await db.find_tasks(status="pending", limit=1)).items[0]
    term = (await db.find_user_by_id(ids[0])).last_name[:4]
    statuses = ["in_progress", "pending"]
    rows = []
    operations: list[
        tuple[str, Callable[[int], Awaitable[Any]], Callable[[int], Awaitable[Any]]]
    ] = [
        (
            "find_user_by_id",
            lambda i: db.find_user_by_id(ids[i % 100]),
            lambda i: raw.by_id(ids[i % 100]),
        ),
        (
            "find_users by role, page of 50 with profile",
            lambda i: db.find_users(role_id=role, include=("profile",), limit=50),
            lambda i: raw.page(role),
        ),
        (f"search_users({term!r})", lambda i: db.search_users(term), lambda i: raw.search(term)),
        (
            "create_user (with its organization, membership and audit rows)",
            lambda i: db.create_user(
                {
                    "email": f"f{i}.{uuid.uuid4().hex[:8]}@example.com",
                    "first_name": "Facade",
                    "last_name": "Bench",
                    "role_id": "buyer",
                }
            ),
            raw.create_user,
        ),
        (
            "change_task_status (with its audit row)",
            lambda i: db.change_task_status(task.id, statuses[i % 2]),
            lambda i: raw.task_status(task.id, statuses[i % 2]),
        ),
    ]
    for name, facade, hand in operations:
        f = await _timed(facade, n)
        r = await _timed(hand, n)
        rows.append(
            f"| {backend} | {name} | {f * 1e6:,.0f} µs | {r * 1e6:,.0f} µs | {f / r:.2f}x |"
        )
    depth = min(100_000, users - 50)
    one, deep = await _deep_page(db, nth, depth)
    rows.append(
        f"| {backend} | find_users page of 50 at depth {depth:,} vs page 1 | "
        f"{deep * 1e6:,.0f} µs | {one * 1e6:,.0f} µs (page 1) | {deep / one:.2f}x |"
    )
    await db.close()
    if backend == "postgresql":
        await raw_conn.close()
    return rows


async def run(postgres_admin: str | None, users: int, n: int) -> None:
    import tempfile
    from pathlib import Path

    lines = [
        f"### Service facade against the raw driver ({users:,} demo users, {n} calls each)",
        "",
        "| database | operation | facade | raw driver | facade / raw |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        lines += await run_backend("sqlite", f"sqlite:///{Path(folder) / 'svc.db'}", users, n)
    if postgres_admin:
        admin_dsn = make_url(postgres_admin).set(drivername="postgresql").render_as_string(False)
        name = f"dreamery_bench_svc_{uuid.uuid4().hex[:6]}"
        admin = await asyncpg.connect(admin_dsn)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        try:
            url = make_url(postgres_admin).set(database=name).render_as_string(False)
            lines += await run_backend("postgresql", url, users, n)
        finally:
            admin = await asyncpg.connect(admin_dsn)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(run("postgresql://postgres@127.0.0.1:5432/postgres", 2_000, 100))
