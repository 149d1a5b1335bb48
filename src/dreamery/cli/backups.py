"""`dreamery db backup` and `dreamery db restore`.

A restore replaces every row, so with `DREAMERY_ENV=production` it refuses unless it is also
given `--delete-production-data` (`guard_production`, as `db reset` and `db push` do).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dreamery.audit import service as audit
from dreamery.cli.app import console, fail, run
from dreamery.cli.db import DeleteProduction, _status, _url, _where, db, guard_production
from dreamery.core.db import create_engine, create_sessionmaker
from dreamery.core.errors import BackupError
from dreamery.migrations import backup as backups
from dreamery.migrations import maintenance


@db.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.", dir_okay=False)],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace FILE if it exists.")
    ] = False,
) -> None:
    """Back the whole database up into FILE, consistently, while the hub runs (SQLite's
    backup API; pg_dump for PostgreSQL)."""
    url = _url()
    if file.exists() and not overwrite:
        fail(f"{file} exists; pass --overwrite to replace it")
    if not file.parent.is_dir():
        fail(f"{file.parent} is not a folder")

    async def go() -> None:
        await backups.backup(url, file)

    run(go())
    size = file.stat().st_size
    console.print(f"Backed up {_where(url)} to {file} ({size:,} bytes).")


@db.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by dreamery db backup.", exists=True)],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the data without asking.")
    ] = False,
    delete_production_data: DeleteProduction = False,
) -> None:
    """Replace everything in the database with the backup FILE, then check the result:
    revision, rows per table, and the audit trail's hash chain."""
    url = _url()
    guard_production(url, "restore", delete_production_data)
    state = run(_status(url))
    holds_data = state is not None and any(state.row_counts.values())
    if holds_data and not force:
        if not sys.stdin.isatty():
            fail("db restore replaces all data; pass --force to confirm when not at a terminal")
        if not typer.confirm(f"Replace ALL data in {_where(url)} with {file}?", default=False):
            fail("restore cancelled; nothing was changed")

    async def go() -> tuple[maintenance.DatabaseStatus, audit.Verdict | None]:
        restored = await backups.restore(url, file)
        if not restored.up_to_date:
            return restored, None  # the chain is verified once the schema is at head
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                verdict = await audit.verify(session)
        finally:
            await engine.dispose()
        if not verdict.ok:
            raise BackupError(f"the restored audit trail does not verify: {verdict.problem}")
        return restored, verdict

    restored, verdict = run(go())
    total = sum(restored.row_counts.values())
    console.print(
        f"Restored {file} into {_where(url)}: {len(restored.row_counts)} tables, "
        f"{total:,} rows, revision {restored.current}."
    )
    if verdict is None:
        console.print(
            f"The backup is at revision {restored.current}, the code at {restored.head}: "
            "run dreamery db migrate, then dreamery audit verify."
        )
    else:
        console.print(f"Audit chain intact ({verdict.rows:,} rows).")
