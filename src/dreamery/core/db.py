"""Engines, sessions, the unit of work, and the work that waits for its commit.

One engine per database URL. SQLite gets the pragmas that make it a serious embedded database:
foreign keys on, WAL journal, a busy timeout, and transactions that SQLAlchemy (not the sqlite3
module) begins, so that savepoints and DDL behave as on PostgreSQL.

Entry points (a request, a CLI command, a studio action, a job) open the transaction with
`unit_of_work`; domain operations only flush. Work that must not happen unless the change is
kept (invalidating a cache, sending a notification or an e-mail) is queued with `on_commit`
during the transaction and runs once it has committed; a rollback drops it, and so does a
savepoint that rolls back (`savepoint`) for the work queued inside it.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import SessionTransaction

from dreamery.core.config import get_settings, normalize_database_url
from dreamery.core.context import Caller
from dreamery.core.errors import DatabaseUnavailableError
from dreamery.core.logs import Outage, log_unexpected

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "dreamery_write"
AFTER_COMMIT = "dreamery.after_commit"
_WATCHED = "dreamery.after_commit.watched"
logger = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]


def create_engine(
    database_url: str | None = None,
    *,
    echo: bool | None = None,
    sqlite_foreign_keys: bool = True,
    statement_timeout: bool = True,
    row_security: bool | None = None,
) -> AsyncEngine:
    """An async engine for `database_url` (any form `normalize_database_url` accepts).

    `sqlite_foreign_keys=False` is for schema migrations only: SQLite rebuilds a table to
    alter it, and with enforcement on, dropping the old copy would cascade into its children.
    On PostgreSQL, connecting gives up after `DB_CONNECT_TIMEOUT` seconds, and each statement
    after `DB_STATEMENT_TIMEOUT` unless `statement_timeout=False` (migrations), and with
    `row_security` (default: ROW_SECURITY) each signed-in user's transactions are held to
    their organization's rows by the database as well (see `narrow_rows`).
    """
    settings = get_settings()
    url = make_url(normalize_database_url(database_url or settings.database_url))
    echo = settings.sql_echo if echo is None else echo
    kwargs: dict[str, Any] = {"echo": echo}
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine, foreign_keys=sqlite_foreign_keys)
        return engine
    # No pre-ping: it costs a round trip on every checkout (a third of a primary-key read).
    # Connections are recycled before servers or proxies drop them instead, and a connection
    # found dead is invalidated by the pool and the unit of work fails cleanly.
    # A pool that covers a worker's usual concurrency: connections past `pool_size` are
    # opened and closed per checkout, which costs a PostgreSQL backend start each time.
    kwargs.update(
        pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow, pool_recycle=1800
    )
    secured = False
    if url.get_backend_name() == "postgresql":
        connect_args: dict[str, Any] = {"timeout": settings.db_connect_timeout}
        server_settings: dict[str, str] = {}
        if statement_timeout and settings.db_statement_timeout:
            milliseconds = int(settings.db_statement_timeout * 1000)
            server_settings["statement_timeout"] = str(milliseconds)
        secured = settings.uses_row_security if row_security is None else row_security
        if secured:
            # The hub's own work sees every row; a signed-in user's transaction is narrowed.
            server_settings[ROW_SCOPE] = "all"
        if server_settings:
            connect_args["server_settings"] = server_settings
        kwargs["connect_args"] = connect_args
        # Waiting for a free connection of the pool gives up as soon as connecting would.
        kwargs["pool_timeout"] = max(settings.db_connect_timeout, 1)
    engine = create_async_engine(url, **kwargs)
    if secured:
        _ROW_SECURED.add(engine.sync_engine)
    return engine


# --- row-level security (PostgreSQL) ------------------------------------------------------
#
# Connections of an engine with row security start in the `all` scope (the hub's own work);
# `narrow_rows` holds the rest of a transaction to one user's organization, their own rows and
# their cases; `widen_rows` lifts that for an operation that crosses organizations by nature
# (accepting an invitation, opening an organization). The policies are in
# `dreamery.models.row_security`.

ROW_SCOPE = "dreamery.scope"
_ROW_SECURED: weakref.WeakSet[Any] = weakref.WeakSet()
_NARROWED = "dreamery.rows_narrowed"


def _secured(session: AsyncSession) -> bool:
    return session.get_bind() in _ROW_SECURED


async def narrow_rows(
    session: AsyncSession,
    *,
    organization_id: Any,
    user_id: Any,
    case_ids: Select[Any] | None,
) -> None:
    """From here to the end of the transaction, the database shows this user only what
    their organization, their own rows and their cases hold (where row security is on)."""
    if not _secured(session):
        return
    cases = (
        [str(c) for c in (await session.scalars(case_ids)).all()] if case_ids is not None else []
    )
    await session.execute(
        text(
            "SELECT set_config('dreamery.organization_id', :organization, true), "
            "set_config('dreamery.user_id', :user, true), "
            "set_config('dreamery.case_ids', :cases, true), "
            "set_config('dreamery.scope', 'tenant', true)"
        ),
        {
            "organization": str(organization_id or ""),
            "user": str(user_id),
            "cases": ",".join(cases),
        },
    )
    session.info[_NARROWED] = True


async def widen_rows(session: AsyncSession) -> None:
    """Let the rest of this transaction see every row: for an operation whose own rules
    decide across organizations (the application's checks still apply)."""
    if _secured(session) and session.info.pop(_NARROWED, False):
        await session.execute(text("SELECT set_config('dreamery.scope', 'all', true)"))


async def rows_see_case(session: AsyncSession, case_id: Any) -> None:
    """The user of a narrowed transaction has just joined a case: let them see it."""
    if _secured(session) and session.info.get(_NARROWED):
        await session.execute(
            text(
                "SELECT set_config('dreamery.case_ids', concat_ws(',', nullif("
                "current_setting('dreamery.case_ids', true), ''), CAST(:case AS text)), true)"
            ),
            {"case": str(case_id)},
        )


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself: the sqlite3 module's implicit transactions
        # break SAVEPOINT and transactional DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE), so two transactions never
        # both read and then fail to upgrade to writing: with the busy timeout, they queue.
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@dataclass(frozen=True)
class Unit:
    """One unit of work as a domain operation receives it: the session and who acts."""

    session: AsyncSession
    caller: Caller


def on_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` once the transaction `session` is in has committed; never if it rolls
    back. Callbacks run in the order they were queued; one already queued (an equal one, such
    as the same bound method) is not queued twice."""
    queue: list[AfterCommit] = session.info.setdefault(AFTER_COMMIT, [])
    if callback not in queue:
        queue.append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    """Run what was queued for after the commit (the owner of the transaction calls this
    once it has committed). A failing callback is logged; the change stays committed."""
    callbacks: list[AfterCommit] = session.info.pop(AFTER_COMMIT, [])
    for callback in callbacks:
        try:
            await callback()
        except Exception as error:
            log_unexpected(logger, "after-commit work failed: %r", error, callback)


def discard_after_commit(session: AsyncSession) -> None:
    session.info.pop(AFTER_COMMIT, None)


def drop_queued_work_on_rollback(session: AsyncSession) -> None:
    """For a session whose transaction someone else owns (and so commits, then calls
    `run_after_commit`): when that transaction rolls back, drop the work queued in it."""
    if session.info.get(_WATCHED):
        return
    session.info[_WATCHED] = True

    def rolled_back(_session: Any, previous: SessionTransaction) -> None:
        if not previous.nested:  # a savepoint's own work is `savepoint`'s to drop
            discard_after_commit(session)

    event.listen(session.sync_session, "after_soft_rollback", rolled_back)


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """A nested transaction: if the block fails, its changes and the work it queued for
    after the commit are undone, and the enclosing transaction goes on."""
    queued = len(session.info.get(AFTER_COMMIT, []))
    try:
        async with session.begin_nested():
            yield session
    except BaseException:
        del session.info.get(AFTER_COMMIT, [])[queued:]
        raise


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession], *, write: bool = True
) -> AsyncIterator[AsyncSession]:
    """See `_unit_of_work`; a lost or unreachable database is `DatabaseUnavailableError`."""
    try:
        async with _unit_of_work(sessionmaker, write=write) as session:
            yield session
    except DatabaseUnavailableError:
        raise
    except Exception as error:
        if lost_database(error):
            raise unavailable(error) from error
        raise


# Driver errors that say the server went away, cannot be reached, or gave up on a statement
# (as opposed to refusing the statement itself), by name: no driver is imported here.
_UNAVAILABLE = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "AdminShutdownError",
        "CrashShutdownError",
        "TooManyConnectionsError",
        "QueryCanceledError",  # statement_timeout
        "InternalClientError",
    }
)
RETRY_AFTER_SECONDS = 5
DATABASE_OUTAGE = Outage(logger, "the database")


# SQLSTATE classes and codes of the same: connection exceptions, shutdowns, too many
# connections, a statement cancelled by statement_timeout.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300", "57014")


def driver_error(error: BaseException) -> BaseException:
    """The driver's own exception under SQLAlchemy's wrappers (asyncpg's, sqlite3's)."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    while cause.__cause__ is not None and type(cause).__name__ == "Error":
        cause = cause.__cause__  # the async adapters wrap the driver's exception once more
    return cause


def lost_database(error: BaseException) -> bool:
    """Whether `error` means the database is out of reach (lost, down, overloaded, too slow,
    locked past the busy timeout), not that it refused what was asked."""
    from sqlalchemy.exc import InterfaceError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(error, PoolTimeout | TimeoutError | ConnectionError | OSError):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated or isinstance(error, InterfaceError):
            return True
        cause = driver_error(error)
        state = str(getattr(cause, "sqlstate", None) or getattr(error.orig, "sqlstate", "") or "")
        if type(cause).__name__ in _UNAVAILABLE or state.startswith(_UNAVAILABLE_STATES):
            return True
        return "database is locked" in str(cause)
    return type(error).__name__ in _UNAVAILABLE


def unavailable(error: BaseException) -> DatabaseUnavailableError:
    """The error a caller sees when the database is out of reach; the cause is logged once
    per outage (it may name hosts and users, which a client is not told)."""
    DATABASE_OUTAGE.failed(error, "answering 503 until it is back")
    return DatabaseUnavailableError(
        f"the database is unavailable ({type(driver_error(error)).__name__}); try again shortly",
        retry_after=RETRY_AFTER_SECONDS,
    )


@asynccontextmanager
async def _unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession], *, write: bool = True
) -> AsyncIterator[AsyncSession]:
    """One transaction: committed if the block succeeds, rolled back if it raises; what was
    queued with `on_commit` runs after the commit.

    `write=False` marks a read-only unit: on SQLite it does not queue behind writers, and on
    PostgreSQL it runs without a transaction (autocommit), so its statements may each see a
    newer commit than the one before (except under row security, whose settings last one
    transaction); writes always get one transaction.
    """
    async with sessionmaker() as session:
        try:
            async with session.begin():
                options: dict[str, Any] = {WRITE_OPTION: write}
                postgres = session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
                if not write and postgres and not _secured(session):
                    # A read needs no transaction on PostgreSQL: each statement sees committed
                    # data, and leaving out BEGIN and COMMIT saves two of a read's four round
                    # trips. Under row security it does: the user's scope lasts a transaction.
                    options["isolation_level"] = "AUTOCOMMIT"
                await session.connection(execution_options=options)
                yield session
        except BaseException:
            discard_after_commit(session)
            raise
        DATABASE_OUTAGE.recovered()
        await run_after_commit(session)


def explain_connection_error(error: BaseException, database_url: str) -> DatabaseUnavailableError:
    """Turn a driver's connection failure into one line that says what to fix."""
    from dreamery.core.config import mask_url

    where = mask_url(normalize_database_url(database_url))
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    name = type(cause).__name__
    if name == "InvalidCatalogNameError" or ("database" in text and "does not exist" in text):
        hint = "the database does not exist: create it or fix DATABASE_URL"
    elif name in {"InvalidPasswordError", "InvalidAuthorizationSpecificationError"} or (
        "authentication failed" in text
    ):
        hint = "the server refused the credentials: fix the user or password in DATABASE_URL"
    elif "unable to open database file" in text:
        hint = "SQLite cannot open that file: check the folder exists and is writable"
    else:
        hint = "check that the server is running and DATABASE_URL is right"
    return DatabaseUnavailableError(f"cannot connect to {where}: {text} ({hint})")


CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, DBAPIError, TimeoutError)


def _check_sqlite_folder(engine: AsyncEngine) -> None:
    """Refuse a SQLite file whose folder is missing or read-only before connecting: the
    driver's own failure there leaves a worker thread behind that reports it again later."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return
    if database.startswith("file:"):
        return
    folder = Path(database).resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise DatabaseUnavailableError(
            f"cannot connect to {engine.url.render_as_string(hide_password=True)}: unable to "
            f"open database file (SQLite cannot open that file: check the folder {folder} "
            "exists and is writable)"
        )


def missing_sqlite_file(engine: AsyncEngine) -> Path | None:
    """The file of a SQLite engine when it does not exist in its folder (connecting would
    create it empty); None for an existing file, a memory database, or PostgreSQL."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    path = Path(database).resolve()
    # A missing folder is another problem, which `ping` names.
    return path if path.parent.is_dir() and not path.exists() else None


async def ping(engine: AsyncEngine) -> None:
    """Connect and run a trivial query; raise DatabaseUnavailableError saying what is wrong."""
    _check_sqlite_folder(engine)
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
    except CONNECTION_ERRORS as error:
        raise explain_connection_error(error, engine.url.render_as_string(False)) from error
