"""Bulk rows are stored exactly as the ORM stores them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy.dialects import sqlite

from dreamery.core.bulk import sqlite_converters
from dreamery.core.ids import new_id
from dreamery.models import Task
from dreamery.models.enums import Priority, TaskStatus

COLUMNS = ("id", "user_id", "status", "priority", "due_date", "completed_at", "tags", "created_at")


def test_sqlite_fast_paths_match_the_bind_processors() -> None:
    dialect = sqlite.dialect()
    table = Task.__table__
    converters = sqlite_converters(table, COLUMNS, dialect)  # type: ignore[arg-type]
    samples = [
        (
            new_id(),
            uuid.UUID(int=1),
            TaskStatus.PENDING,
            Priority.HIGH,
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            None,
            ["a", "b"],
            datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=-5))),
        ),
        (
            new_id(),
            new_id(),
            "completed",
            "low",
            datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
            datetime(2026, 7, 1, tzinfo=timezone(timedelta(hours=9))),
            [],
            datetime.now(UTC),
        ),
    ]
    for row in samples:
        for name, convert, value in zip(COLUMNS, converters, row, strict=True):
            process = table.c[name].type._cached_bind_processor(dialect)
            expected = process(value) if process else value
            assert convert(value) == expected, name
