"""Database life-cycle operations behind `dreamery db`: status, push, reset."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alembic.autogenerate import produce_migrations
from alembic.operations import Operations, ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, column, func, inspect, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from dreamery.core.db import create_engine, missing_sqlite_file, ping
from dreamery.core.errors import ConflictError, SchemaError
from dreamery.migrations import runner as migrations
from dreamery.models import Base
from dreamery.models.base import drop_unmodelled_first, install_unmodelled, is_unmodelled

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class DatabaseStatus:
    backend: str
    current: str | None
    head: str | None
    pending: list[migrations.RevisionInfo]
    row_counts: dict[str, int]
    unknown_tables: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.current is not None and self.current == self.head


def _existing_tables(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


def _count_rows(connection: Connection, names: list[str]) -> dict[str, int]:
    return {
        name: int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in names
    }


def _known_revision(current: str | None) -> None:
    if current is None:
        return
    scripts = migrations.script_directory()
    try:
        scripts.get_revision(current)
    except Exception:
        raise SchemaError(
            f"the database is at revision {current}, which this version of Dreamery does not "
            "have: the migration file is missing (update Dreamery, or restore the file)"
        ) from None


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision (None before the first migration); a revision this code does
    not know is a SchemaError."""
    await ping(engine)
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    _known_revision(current)
    return current


async def status(engine: AsyncEngine) -> DatabaseStatus:
    """The database's revision, what is pending and the rows per table; a database that
    does not exist is a SchemaError (looking never creates one)."""
    require_database(engine)
    current = await current_revision(engine)
    async with engine.connect() as connection:
        names = await connection.run_sync(_existing_tables)
        models = set(Base.metadata.tables)
        counts = await connection.run_sync(_count_rows, [n for n in names if n in models])
    return DatabaseStatus(
        backend=engine.dialect.name,
        current=current,
        head=migrations.head_revision(),
        pending=migrations.pending_revisions(current),
        row_counts={name: counts[name] for name in Base.metadata.tables if name in counts},
        unknown_tables=[
            n for n in names if n not in models and n != VERSION_TABLE and not is_unmodelled(n)
        ],
    )


def require_database(engine: AsyncEngine) -> None:
    """Refuse to go on when the database does not exist yet, rather than create it by
    connecting (SQLite makes a missing file; a PostgreSQL server never makes a database)."""
    missing = missing_sqlite_file(engine)
    if missing is not None:
        raise SchemaError(f"no database at {missing}: run `dreamery db migrate`")


async def require_head(engine: AsyncEngine) -> None:
    """Refuse to work on a database that is missing, not migrated or behind the code, in one
    line that names it, its revision and the code's."""
    require_database(engine)
    current = await current_revision(engine)
    head = migrations.head_revision()
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaError(f"the database at {where} is not migrated: run `dreamery db migrate`")
    if current != head:
        raise SchemaError(
            f"the database at {where} is behind (at revision {current}, head is {head}): "
            "run `dreamery db migrate`"
        )


# What empties a PostgreSQL database: its schema, and everything in it, dropped and made anew.
POSTGRES_EMPTY = ("DROP SCHEMA public CASCADE", "CREATE SCHEMA public")


async def drop_everything(engine: AsyncEngine) -> list[str]:
    """Drop every table in the database (ours, Alembic's and any other); return their names."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = await connection.run_sync(_existing_tables)
            for statement in POSTGRES_EMPTY:
                await connection.exec_driver_sql(statement)
            return names

        def drop(sync: Connection) -> list[str]:
            drop_unmodelled_first(sync)
            reflected = MetaData()
            reflected.reflect(sync)
            reflected.drop_all(sync)
            return sorted(reflected.tables)

        return await connection.run_sync(drop)


# --- push -----------------------------------------------------------------------------------


@dataclass
class PushPlan:
    operations: list[str]
    data_loss: list[str]


def _flatten(operations: list[Any]) -> list[Any]:
    flat = []
    for operation in operations:
        if isinstance(operation, ops.ModifyTableOps):
            flat.extend(operation.ops)
        else:
            flat.append(operation)
    return flat


def _describe(operation: Any) -> str:
    if isinstance(operation, ops.CreateTableOp):
        return f"create table {operation.table_name}"
    if isinstance(operation, ops.DropTableOp):
        return f"drop table {operation.table_name}"
    if isinstance(operation, ops.AddColumnOp):
        return f"add column {operation.table_name}.{operation.column.name}"
    if isinstance(operation, ops.DropColumnOp):
        return f"drop column {operation.table_name}.{operation.column_name}"
    if isinstance(operation, ops.AlterColumnOp):
        return f"alter column {operation.table_name}.{operation.column_name}"
    if isinstance(operation, ops.CreateIndexOp):
        return f"create index {operation.index_name} on {operation.table_name}"
    if isinstance(operation, ops.DropIndexOp):
        return f"drop index {operation.index_name}"
    name = type(operation).__name__.removesuffix("Op")
    return f"{name} on {getattr(operation, 'table_name', '?')}"


def _data_at_risk(connection: Connection, operation: Any) -> str | None:
    if isinstance(operation, ops.DropTableOp):
        rows = connection.execute(
            select(func.count()).select_from(table(operation.table_name))
        ).scalar_one()
        return f"table {operation.table_name} holds {rows} row(s)" if rows else None
    if isinstance(operation, ops.DropColumnOp):
        values = connection.execute(
            select(func.count(column(operation.column_name))).select_from(
                table(operation.table_name)
            )
        ).scalar_one()
        if values:
            return f"column {operation.table_name}.{operation.column_name} holds {values} value(s)"
    return None


def _push(connection: Connection, accept_data_loss: bool, dry_run: bool) -> PushPlan:
    context = MigrationContext.configure(connection, opts=migrations.COMPARE_OPTIONS)
    with migrations.expression_index_warnings_silenced():
        script = produce_migrations(context, Base.metadata)
    upgrade = script.upgrade_ops
    top = upgrade.ops if upgrade is not None else []
    flat = _flatten(top)
    plan = PushPlan(
        operations=[_describe(op) for op in flat],
        data_loss=[risk for op in flat if (risk := _data_at_risk(connection, op))],
    )
    if plan.data_loss and not accept_data_loss:
        raise ConflictError(
            "db push would destroy data: "
            + "; ".join(plan.data_loss)
            + " (rerun with --accept-data-loss to drop it, or write a migration)"
        )
    if dry_run:
        return plan
    operations = Operations(context)
    for operation in top:
        if isinstance(operation, ops.ModifyTableOps):
            with operations.batch_alter_table(operation.table_name) as batch:
                for inner in operation.ops:
                    batch.invoke(inner)
        else:
            operations.invoke(operation)
    install_unmodelled(connection)
    return plan


async def push(
    database_url: str | None, *, accept_data_loss: bool = False, dry_run: bool = False
) -> PushPlan:
    """Bring the database to the models directly, without a migration file (development)."""
    engine = create_engine(database_url, sqlite_foreign_keys=False, statement_timeout=False)
    try:
        await ping(engine)
        async with engine.begin() as connection:
            return await connection.run_sync(_push, accept_data_loss, dry_run)
    finally:
        await engine.dispose()
