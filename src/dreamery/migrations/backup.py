"""Backups of the whole database, and restoring one into an empty or emptied database.

SQLite is copied through its online backup API: one consistent copy, taken while the hub
runs and writes. PostgreSQL is dumped by `pg_dump --format=custom` (one snapshot transaction,
so equally consistent under load) and restored with `pg_restore` and `psql`; all three are
PostgreSQL's client tools, required for PostgreSQL and named when missing. A backup is
written beside its final name and renamed into place, so a failed one never leaves half a
file under that name; it holds password hashes, so only its owner may read it (mode 0600).

A restore changes nothing unless it can replace everything. The backup is checked first
(SQLite's `quick_check`; `pg_restore --list`). On PostgreSQL, emptying the database and
loading the backup are then one transaction: `pg_restore` turns the backup into SQL, which is
fed to `psql` after the statements that empty the database, and COMMIT is sent only once
`pg_restore` has read the whole backup; a backup damaged past its table of contents, or a
statement that fails, ends with a rollback and the data as it was.

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
from asyncio.subprocess import Process
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


def _reason(tool: str, errors: bytes, status: int | None) -> str:
    """What a client tool said went wrong: its first error line, or its exit status."""
    name = Path(tool).name
    lines = errors.decode(errors="replace").strip().splitlines()
    said = lines[0].removeprefix(f"{name}: ") if lines else f"exit status {status}"
    return f"{name}: {said}"


async def _run(*command: str, env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise BackupError(_reason(command[0], errors, process.returncode))


def _private_file(path: Path) -> None:
    """Create `path` empty and readable by its owner alone, for a backup to be written into:
    the mode stays through the writing and the rename."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_check(source: Path) -> None:
    """Refuse a SQLite backup that is damaged (cut short, overwritten), before anything is
    replaced. Opened as immutable: reading it leaves no journal files beside it."""
    try:
        reader = sqlite3.connect(f"{source.resolve().as_uri()}?immutable=1", uri=True)
        try:
            problems = [row[0] for row in reader.execute("PRAGMA quick_check").fetchall()]
        finally:
            reader.close()
    except sqlite3.DatabaseError as error:
        problems = [str(error)]
    if problems != ["ok"]:
        raise BackupError(f"{source} is damaged ({problems[0]}); nothing was changed")


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
        maintenance.require_database(engine)
        await ping(engine)
    finally:
        await engine.dispose()
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _private_file(partial)
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
    engine = create_engine(database_url, statement_timeout=False)
    try:
        await ping(engine)
    finally:
        await engine.dispose()  # no connection of ours may hold the database meanwhile
    if backend == "sqlite":
        await asyncio.to_thread(_sqlite_check, source)
        assert url.database
        await asyncio.to_thread(_sqlite_copy, str(source), url.database)
    else:
        await _postgres_replace(url, source)
    engine = create_engine(database_url)
    try:
        return await maintenance.status(engine)
    finally:
        await engine.dispose()


async def _postgres_replace(url: URL, source: Path) -> None:
    """Empty the database and load the backup `source` into it, in one transaction."""
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    uri, env = _libpq(url)
    try:
        await _run(pg_restore, "--list", str(source), env=env)
    except BackupError as error:
        raise BackupError(f"{source} is damaged ({error}); nothing was changed") from None
    pipe = asyncio.subprocess.PIPE
    to_sql = [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(source)]
    script = await asyncio.create_subprocess_exec(*to_sql, env=env, stdout=pipe, stderr=pipe)
    load = [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={uri}"]
    loader = await asyncio.create_subprocess_exec(
        *load, env=env, stdin=pipe, stdout=asyncio.subprocess.DEVNULL, stderr=pipe
    )
    assert script.stderr and loader.stderr
    errors = asyncio.gather(script.stderr.read(), loader.stderr.read())
    try:
        failed = await _load(script, loader)
    except BaseException:
        for process in (script, loader):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        raise
    script_said, loader_said = await errors
    if failed is script:
        reason = _reason(pg_restore, script_said, script.returncode)
        raise BackupError(
            f"{source} is damaged ({reason}): the restore was rolled back; nothing was changed"
        )
    if failed is loader:
        reason = _reason(psql, loader_said, loader.returncode)
        raise BackupError(f"the restore failed ({reason}) and was rolled back; nothing was changed")


async def _load(script: Process, loader: Process) -> Process | None:
    """Relay `pg_restore`'s SQL (`script`) to `psql` (`loader`) between BEGIN, with the
    statements that empty the database, and COMMIT, which is sent only once `pg_restore` has
    read the whole backup. None when psql committed; otherwise the one that failed first."""
    assert script.stdout and loader.stdin
    begin = ("BEGIN", "SET client_min_messages = warning", *maintenance.POSTGRES_EMPTY)
    sent = await _feed(loader.stdin, "".join(f"{line};\n" for line in begin).encode())
    while sent and (chunk := await script.stdout.read(1 << 16)):
        sent = await _feed(loader.stdin, chunk)
    if not sent:  # psql stopped at an error and rolled back: pg_restore need not go on
        with contextlib.suppress(ProcessLookupError):
            script.kill()
        while await script.stdout.read(1 << 16):
            pass  # its output to the end: only then does asyncio see the process end
    failed = None
    if await script.wait() != 0:
        failed = script if sent else loader
    elif not await _feed(loader.stdin, b"COMMIT;\n"):
        failed = loader
    with contextlib.suppress(OSError):
        loader.stdin.close()  # without COMMIT, psql ends and its transaction rolls back
    if await loader.wait() != 0 and failed is None:
        failed = loader
    return failed


async def _feed(stream: asyncio.StreamWriter, data: bytes) -> bool:
    """Write `data` to a tool's input; False once the tool has stopped reading."""
    try:
        stream.write(data)
        await stream.drain()
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True
