"""Fast bulk inserts for generated data: COPY on PostgreSQL, executemany on SQLite.

Values are stored exactly as SQLAlchemy would bind them, so rows written here read back
through the models like any other.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Table, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from dreamery.core.types import UTCDateTime


def _pg_value_converter(column: Any) -> Callable[[Any], Any] | None:
    if isinstance(column.type, JSON):  # JSON, and its JSONB variant on PostgreSQL
        return lambda value: None if value is None else json.dumps(value)
    return None


async def copy_rows(
    connection: AsyncConnection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Insert `rows` (tuples in `columns` order) into `table` inside the current transaction."""
    if not rows:
        return
    dialect = connection.dialect
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if dialect.name == "postgresql":
        converters = [_pg_value_converter(table.c[name]) for name in columns]
        if any(converters):
            rows = [
                tuple(
                    convert(value) if convert else _plain(value)
                    for convert, value in zip(converters, row, strict=True)
                )
                for row in rows
            ]
        else:
            rows = [tuple(_plain(value) for value in row) for row in rows]
        assert driver is not None
        if not driver.is_in_transaction():
            # The adapter begins its transaction lazily; make COPY part of it.
            await connection.exec_driver_sql("SELECT 1")
        await driver.copy_records_to_table(table.name, records=rows, columns=list(columns))
        return
    sqlite_convert = sqlite_converters(table, columns, dialect)
    converted = [
        tuple(convert(value) for convert, value in zip(sqlite_convert, row, strict=True))
        for row in rows
    ]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    marks = ", ".join("?" for _ in columns)
    statement = (
        f"INSERT INTO {dialect.identifier_preparer.quote(table.name)} ({quoted}) VALUES ({marks})"
    )
    assert driver is not None
    await driver.executemany(statement, converted)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _uuid_hex(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def _utc_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _processed(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: process(_plain(value))


def sqlite_converters(
    table: Table, columns: Sequence[str], dialect: Dialect
) -> list[Callable[[Any], Any]]:
    """Per column, a function from a Python value to what SQLite stores.

    UUIDs and UTC timestamps, most of the values, take a direct path (the bind processors'
    chain costs several microseconds a value); every other type uses its own bind processor.
    `tests/core/test_bulk.py` holds the direct paths to what the processors produce.
    """
    converters: list[Callable[[Any], Any]] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, Uuid):
            converters.append(_uuid_hex)
        elif isinstance(column_type, UTCDateTime):
            converters.append(_utc_text)
        elif (process := column_type._cached_bind_processor(dialect)) is not None:
            converters.append(_processed(process))
        else:
            converters.append(_plain)
    return converters
