"""Test databases: every test that asks for one runs on SQLite and on PostgreSQL.

PostgreSQL is used when `TEST_POSTGRES_URL` is set or a server answers on 127.0.0.1:5432; with
`DREAMERY_REQUIRE_POSTGRES=1` (CI) the run stops at once if it cannot be reached. Each backend
gets a database of its own, migrated and seeded once; each test runs in a transaction that is
rolled back. Tests that must commit ask for a database of their own: `fresh_url` (empty),
`migrated_url` or `fresh_seeded_url`, the last two copied from templates built once per run.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from dreamery import DatabaseService
from dreamery.auth import passwords
from dreamery.catalog.seed import seed_catalog
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.migrations import runner as migrations

pytest_plugins = ["tests.hub"]

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
_counter = itertools.count()


def _postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres_reachable(url: str) -> str | None:
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


def pytest_configure(config: pytest.Config) -> None:
    problem = asyncio.run(_postgres_reachable(_postgres_admin_url()))
    required = os.environ.get("DREAMERY_REQUIRE_POSTGRES") == "1"
    if problem and required:
        raise pytest.UsageError(
            f"PostgreSQL is required (DREAMERY_REQUIRE_POSTGRES=1) but {_postgres_admin_url()} "
            f"cannot be reached: {problem}"
        )
    config.dreamery_backends = ["sqlite"] if problem else ["sqlite", "postgresql"]  # type: ignore[attr-defined]
    config.dreamery_postgres_problem = problem  # type: ignore[attr-defined]


@pytest.fixture(scope="session", autouse=True)
def _secret_key_file(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The hub's development key for this test run (and the processes it starts), kept out of
    the working folder; tests about the key itself set their own."""
    os.environ.setdefault(
        "SECRET_KEY_FILE", str(tmp_path_factory.mktemp("secret") / ".dreamery-secret-key")
    )


@pytest.fixture(scope="session", autouse=True)
def _argon2_once_per_password() -> Iterator[None]:
    """Hash each password once per test process, and check each (hash, password) pair once.

    Every hash is still a real argon2id hash at the configured cost, and every first check a
    real check: the tests sign hundreds of people up with one password and sign them in
    again, and at some 60 ms a hash, argon2 was a fifth of the in-process suite's time. What
    is given up is a salt of each user's own, which no test looks at. Processes the tests
    start (`dreamery serve`, the installed command) hash as the hub does."""
    hash_password, verify_password = passwords.hash_password, passwords.verify_password
    hashes: dict[tuple[str, int, int], str] = {}
    checks: dict[tuple[str | None, str, int, int], tuple[bool, str | None]] = {}

    def cost() -> tuple[int, int]:
        current = passwords._configured()  # what the hub would hash and check with now
        return current.memory_cost, current.time_cost

    async def hash_once(password: str) -> str:
        key = (password, *cost())
        if key not in hashes:
            hashes[key] = await hash_password(password)
        return hashes[key]

    async def verify_once(password_hash: str | None, password: str) -> tuple[bool, str | None]:
        key = (password_hash, password, *cost())
        if key not in checks:
            checks[key] = await verify_password(password_hash, password)
        return checks[key]

    passwords.hash_password = hash_once  # type: ignore[assignment]
    passwords.verify_password = verify_once  # type: ignore[assignment]
    try:
        yield
    finally:
        passwords.hash_password, passwords.verify_password = hash_password, verify_password


def pytest_report_header(config: pytest.Config) -> str:
    backends = config.dreamery_backends  # type: ignore[attr-defined]
    if "postgresql" in backends:
        return f"databases: SQLite and PostgreSQL ({_postgres_admin_url()})"
    return (
        "databases: SQLite only: PostgreSQL not reachable at "
        f"{_postgres_admin_url()} ({config.dreamery_postgres_problem})"  # type: ignore[attr-defined]
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if "postgresql" not in config.dreamery_backends:  # type: ignore[attr-defined]
        terminalreporter.write_line(
            "NOTE: PostgreSQL was not reachable; only the SQLite half of the suite ran. "
            "Start PostgreSQL or set TEST_POSTGRES_URL to run both.",
            yellow=True,
        )


def _redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"{type(error).__name__}: {error}"
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "redis_url" in metafunc.fixturenames:
        url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
        problem = _redis_problem(url)
        if problem and os.environ.get("DREAMERY_REQUIRE_REDIS") == "1":
            raise pytest.UsageError(f"Redis is required but {url} cannot be reached: {problem}")
        metafunc.parametrize("redis_url", [] if problem else [url], scope="session")
    if "backend" in metafunc.fixturenames:
        backends = metafunc.config.dreamery_backends  # type: ignore[attr-defined]
        if metafunc.definition.get_closest_marker("postgresql_only"):
            # What only PostgreSQL has (connections to lose, pg_dump, row security) is not
            # collected for SQLite at all, rather than skipped there.
            backends = [b for b in backends if b == "postgresql"]
        metafunc.parametrize("backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class DatabaseFactory:
    """Databases of one backend for one test process, removed at the end of the run.

    Migrating and seeding takes seconds; copying a database takes milliseconds. So each kind
    of starting point (migrated, migrated and seeded) is built once per run as a template,
    and every test that needs one of its own gets a copy: `CREATE DATABASE … TEMPLATE` on
    PostgreSQL, SQLite's online backup on SQLite.
    """

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self.created: list[str] = []
        self._templates: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def create(self, template: str | None = None) -> str:
        """A new database: empty, or a copy of the database at URL `template`."""
        number = next(_counter)
        if self.backend == "sqlite":
            url = f"sqlite:///{self.tmp / f'test-{number}.db'}"
            if template is not None:
                await asyncio.to_thread(_copy_sqlite, _sqlite_path(template), _sqlite_path(url))
            return url
        name = f"dreamery_test_{os.getpid()}_{number}_{uuid.uuid4().hex[:6]}"
        clause = f' TEMPLATE "{make_url(template).database}"' if template is not None else ""
        admin = await asyncpg.connect(_asyncpg_dsn(_postgres_admin_url()))
        try:
            await admin.execute(f'CREATE DATABASE "{name}"{clause}')
        finally:
            await admin.close()
        self.created.append(name)
        return make_url(_postgres_admin_url()).set(database=name).render_as_string(False)

    async def copy_of(self, kind: str) -> str:
        """A new database of its own, copied from the `kind` template ("migrated", "seeded")."""
        async with self._lock:
            template = await self._template(kind)
        return await self.create(template)

    async def _template(self, kind: str) -> str:
        """The `kind` template, built on first use (with the lock held)."""
        template = self._templates.get(kind)
        if template is None:
            template = self._templates[kind] = await self._build(kind)
        return template

    async def _build(self, kind: str) -> str:
        if kind != "seeded":
            url = await self.create()
            await migrations.upgrade(url)
            return url
        # Seeded is migrated plus the catalogue: copied from that template, not migrated anew.
        url = await self.create(await self._template("migrated"))
        engine = create_engine(url)
        async with unit_of_work(create_sessionmaker(engine)) as session:
            await seed_catalog(session)
        await engine.dispose()
        return url

    async def drop_all(self) -> None:
        if not self.created:
            return
        admin = await asyncpg.connect(_asyncpg_dsn(_postgres_admin_url()))
        try:
            for name in reversed(self.created):  # copies before the templates they came from
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    assert database, url
    return database


def _copy_sqlite(source: str, target: str) -> None:
    """A consistent copy of a SQLite database (WAL included), as SQLite itself makes it."""
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


@pytest.fixture(scope="session")
async def databases(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path_factory.mktemp(f"db-{backend}"))
    yield factory
    await factory.drop_all()


async def seeded_database(databases: DatabaseFactory) -> str:
    """A new database of its own, migrated to head and seeded with the catalogue."""
    return await databases.copy_of("seeded")


@pytest.fixture(scope="session")
async def database_url(databases: DatabaseFactory) -> str:
    """A database migrated to head and seeded with the catalogue, shared by the session."""
    return await seeded_database(databases)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back after the test, whatever it committed."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
async def db(engine: AsyncEngine, session: AsyncSession) -> AsyncIterator[DatabaseService]:
    """The facade, working inside the test's transaction: everything it does is rolled back
    afterwards. Each call runs in a savepoint, so a refused call leaves the test going."""
    async with DatabaseService(engine=engine, redis_url="") as service:
        yield service.using(session)


@pytest.fixture
async def committing_db(fresh_seeded_url: str) -> AsyncIterator[DatabaseService]:
    """The facade over a seeded database of the test's own, committing as a user's would:
    for what only commits show (concurrent writers, other processes, after-commit work)."""
    async with DatabaseService(fresh_seeded_url, redis_url="") as service:
        yield service


@pytest.fixture
async def fresh_url(databases: DatabaseFactory) -> str:
    """A new, empty database for a test that commits or changes the schema."""
    return await databases.create()


@pytest.fixture
async def migrated_url(databases: DatabaseFactory) -> str:
    """A new database of its own at the latest schema, without the catalogue."""
    return await databases.copy_of("migrated")


@pytest.fixture
def cli_env() -> dict[str, str]:
    """The environment for running `dreamery` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    return env


@pytest.fixture
async def fresh_seeded_url(databases: DatabaseFactory) -> str:
    """A new database of its own, migrated and seeded, for a test that commits."""
    return await seeded_database(databases)
