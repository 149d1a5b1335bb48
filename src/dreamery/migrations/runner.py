"""Running the migrations on top of Alembic: upgrade, downgrade, inspect, generate, drift.

Everything runs on our own async engine (so the URL rules and SQLite pragmas of `core.db`
hold), with the Alembic command handed a synchronous view of its connection.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from dreamery.core.db import create_engine
from dreamery.core.errors import SchemaError
from dreamery.models import Base
from dreamery.models.base import is_unmodelled

MIGRATIONS_DIR = Path(__file__).resolve().parent
FILE_TEMPLATE = "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"

T = TypeVar("T")


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("truncate_slug_length", "60")
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str | None:
    return script_directory().get_current_head()


async def _run(database_url: str | None, fn: Callable[[Connection, Config], T]) -> T:
    engine = create_engine(database_url, sqlite_foreign_keys=False, statement_timeout=False)
    config = alembic_config(database_url)
    try:
        async with engine.begin() as connection:

            def call(sync_connection: Connection) -> T:
                config.attributes["connection"] = sync_connection
                result = fn(sync_connection, config)
                if sync_connection.dialect.name == "sqlite":
                    _check_sqlite_foreign_keys(sync_connection)
                return result

            return await connection.run_sync(call)
    except CommandError as error:
        raise SchemaError(f"migration: {error}") from error
    finally:
        await engine.dispose()


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    """Migrations run with enforcement off on SQLite; refuse to commit dangling references."""
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        table, rowid, parent, _ = violations[0]
        raise RuntimeError(
            f"migration left {len(violations)} dangling reference(s), "
            f"first in {table} row {rowid} pointing to {parent}"
        )


async def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    await _run(database_url, lambda _c, config: command.upgrade(config, revision))


async def downgrade(database_url: str | None = None, revision: str = "base") -> None:
    await _run(database_url, lambda _c, config: command.downgrade(config, revision))


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(database_url: str | None = None) -> str | None:
    return await _run(database_url, lambda connection, _config: _current(connection))


@dataclass(frozen=True)
class RevisionInfo:
    revision: str
    message: str | None


def pending_revisions(current: str | None) -> list[RevisionInfo]:
    """Revisions between `current` and head, oldest first."""
    scripts = script_directory()
    head = scripts.get_current_head()
    if head is None or current == head:
        return []
    lower = current if current is not None else "base"
    revisions = list(scripts.iterate_revisions(head, lower))
    revisions.reverse()
    return [RevisionInfo(r.revision, r.doc) for r in revisions if r.revision != current]


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not is_unmodelled(name)


COMPARE_OPTIONS: dict[str, Any] = {
    "compare_type": True,
    "render_as_batch": True,
    "include_object": _include_object,
}


@contextmanager
def expression_index_warnings_silenced() -> Iterator[None]:
    """SQLite cannot reflect expression indexes (our lower(email) index), so Alembic warns on
    every comparison; the index itself is created by the initial migration and tested."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index")
        yield


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts=COMPARE_OPTIONS)
    with expression_index_warnings_silenced():
        return list(compare_metadata(context, Base.metadata))


async def schema_drift(database_url: str | None = None) -> list[Any]:
    """What autogenerate would change to bring this database to the models ([] = no drift)."""
    return await _run(database_url, lambda connection, _config: _diff(connection))


async def generate(database_url: str | None, message: str) -> Path | None:
    """Write a new revision from the difference between the models and the database.

    Returns None when there is nothing to generate (no empty migration files).
    """

    def run(connection: Connection, config: Config) -> Path | None:
        if not _diff(connection):
            return None
        with expression_index_warnings_silenced():
            script = command.revision(config, message=message, autogenerate=True)
        if script is None or isinstance(script, list):
            return None
        return Path(script.path)

    return await _run(database_url, run)
