"""Offset pages, counts and text search for the studio's lists, on the facade's cursor pages.

The facade pages by cursor (keyset: each page starts after the last row of the one before),
which is what keeps deep pages as cheap as the first; starlette-admin asks for "rows `skip`
to `skip + limit`". `rows()` walks the cursors from the start, skipping in pages of the
facade's maximum size, so page N is always exactly the N-th slice of the current order, even
while rows are being added. Tables without a text index are searched by reading them in the
current order, up to `SCAN_LIMIT` rows; the page says so when that limit cut the search short.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from dreamery.core.pagination import MAX_LIMIT, Page

SCAN_LIMIT = 2_000  # rows a text search reads, on tables the database has no text index for
COUNT_LIMIT = 10_000  # rows counted by reading, where the facade has no count


class Fetch(Protocol):
    """One facade page: after `cursor`, at most `limit` rows, with the total if asked."""

    def __call__(
        self, cursor: str | None, limit: int, with_total: bool
    ) -> Awaitable[Page[Any]]: ...


async def rows(fetch: Fetch, skip: int, limit: int | None) -> tuple[list[Any], int | None]:
    """Rows `skip` to `skip + limit` (to the end when `limit` is None), and the number of
    rows in all when the facade counts them."""
    items: list[Any] = []
    cursor: str | None = None
    passed = 0
    total: int | None = None
    first = True
    while limit is None or len(items) < limit:
        if passed < skip:
            size = min(MAX_LIMIT, skip - passed)
        elif limit is None:
            size = MAX_LIMIT
        else:
            size = min(MAX_LIMIT, limit - len(items))
        page = await fetch(cursor, size, first)
        if first:
            total, first = page.total, False
        if passed < skip:
            passed += len(page.items)
        else:
            items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    return items, total


async def count(fetch: Fetch, cap: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many rows there are, and whether counting stopped at `cap`. One query where the
    facade counts; otherwise the rows are read, `MAX_LIMIT` at a time."""
    first = await fetch(None, 1, True)
    if first.total is not None:
        return first.total, False
    seen, cursor = 0, None
    while True:
        page = await fetch(cursor, MAX_LIMIT, False)
        seen += len(page.items)
        if page.next_cursor is None:
            return seen, False
        if seen >= cap:
            return seen, True
        cursor = page.next_cursor


async def scan(
    fetch: Fetch, matches: Callable[[Any], bool], cap: int = SCAN_LIMIT
) -> tuple[list[Any], bool]:
    """The rows `matches` accepts among the first `cap`, in order, and whether more rows
    were left unread."""
    found: list[Any] = []
    seen, cursor = 0, None
    while True:
        page = await fetch(cursor, MAX_LIMIT, False)
        found.extend(item for item in page.items if matches(item))
        seen += len(page.items)
        if page.next_cursor is None:
            return found, False
        if seen >= cap:
            return found, True
        cursor = page.next_cursor


@dataclass
class Result:
    """What a list request resolved to: every matching row (search results), or only the
    total (plain listings, whose rows are read page by page)."""

    items: list[Any] | None = None
    total: int | None = None


__all__ = ["COUNT_LIMIT", "SCAN_LIMIT", "Fetch", "Result", "count", "rows", "scan"]
