"""Backups of the whole database, and restoring one into an empty or emptied database.

SQLite is copied through its online backup API: one consistent copy, taken while the hub
runs and writes. PostgreSQL is dumped by `pg_dump --format=custom` (one snapshot transaction,
so equally consistent under load) and restored by `pg_restore`; both are PostgreSQL's client
tools, required for PostgreSQL and named when missing. A backup is written beside its final
name and renamed into place, so a failed one never leaves half a file under that name.

After a restore, `dreamery db restore` checks the database: its revision (`dreamery db
migrate` brings an older backup to head), the rows in each table, and the audit trail's hash
chain.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from dreamery.core.config import normalize_database_url
from dreamery.core.db import create_engine, ping
from dreamery.core.errors import BackupError
from dreamery.migrations import maintenance

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_MAGIC = b"PGDMP"
CLIENT_TOOLS = "PostgreSQL's client tools (Debian: apt install postgresql-client)"


def _url(database_url: str) -> URL:
    return make_url(normalize_database_url(database_url))


def kind_of(path: Path) -> str | None:
    """ "sqlite" or "postgresql" for a backup file, by its first bytes; None otherwise."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError:
        return None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(POSTGRES_MAGIC):
        return "postgresql"
    return None


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is needed to back up and restore PostgreSQL: install {CLIENT_TOOLS}"
        )
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A connection URI for the client tools, and their environment (the password goes in
    PGPASSWORD, never on a command line other users can read)."""
    plain = url.set(drivername="postgresql", password=None)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return plain.render_as_string(hide_password=False), env


async def _run(*command: str, env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        text = errors.decode(errors="replace").strip().splitlines()
        reason = text[0] if text else f"exit status {process.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {reason}")


def _sqlite_copy(source: str, target: str) -> None:
    """Copy the SQLite database `source` into `target` in one step of the backup API: a
    consistent snapshot, whatever writers do meanwhile."""
    reader = sqlite3.connect(source, timeout=30)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)
        finally:
            writer.close()
    finally:
        reader.close()


async def backup(database_url: str, target: Path) -> None:
    """Write a backup of the database to `target` (replacing a file already there)."""
    url = _url(database_url)
    engine = create_engine(database_url, statement_timeout=False)
    try:
        await ping(engine)
    finally:
        await engine.dispose()
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                raise BackupError("an in-memory SQLite database has nothing to back up")
            await asyncio.to_thread(_sqlite_copy, url.database, str(partial))
        else:
            uri, env = _libpq(url)
            await _run(_tool("pg_dump"), "--format=custom", f"--file={partial}", uri, env=env)
        os.replace(partial, target)
    except OSError as error:
        raise BackupError(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


async def restore(database_url: str, source: Path) -> maintenance.DatabaseStatus:
    """Replace everything in the database with the backup `source`; its state after."""
    url = _url(database_url)
    backend = url.get_backend_name()
    kind = kind_of(source)
    if kind is None:
        raise BackupError(f"{source} is not a backup made by dreamery db backup")
    if kind != backend:
        raise BackupError(
            f"{source} is a {kind} backup; DATABASE_URL is {backend}: restore it into a "
            f"{kind} database"
        )
    engine = create_engine(database_url, sqlite_foreign_keys=False, statement_timeout=False)
    try:
        await ping(engine)
        if backend == "sqlite":
            await engine.dispose()  # no connection of ours may hold the file meanwhile
            assert url.database
            await asyncio.to_thread(_sqlite_copy, str(source), url.database)
        else:
            await maintenance.drop_everything(engine)
            await engine.dispose()
            uri, env = _libpq(url)
            await _run(
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={uri}",
                str(source),
                env=env,
            )
    finally:
        await engine.dispose()
    engine = create_engine(database_url)
    try:
        return await maintenance.status(engine)
    finally:
        await engine.dispose()
