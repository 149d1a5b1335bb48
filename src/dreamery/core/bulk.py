"""Fast bulk inserts for generated data: COPY on PostgreSQL, executemany on SQLite.

Values are converted exactly as SQLAlchemy would bind them (the columns' own bind processors),
so rows written here read back through the models like any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection


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
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    converted = [
        tuple(
            process(_plain(value)) if process else _plain(value)
            for process, value in zip(processors, row, strict=True)
        )
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
