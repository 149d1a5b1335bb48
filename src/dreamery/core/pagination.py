"""Keyset (cursor) pagination: a page costs the same at any depth."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from dreamery.core.errors import FieldError, ValidationError

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int | None = None
    limit: int = DEFAULT_LIMIT


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError([FieldError("limit", f"must be an integer from 1 to {MAX_LIMIT}")])
    return limit


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "u" in value:
        return uuid.UUID(value["u"])
    return value


def encode_cursor(sort: str, values: tuple[Any, ...]) -> str:
    payload = json.dumps([sort, [_plain(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, ...]:
    """The sort key a cursor points after; a cursor from another sort or a forged one is a
    validation error on `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if name != sort or not isinstance(values, list) or len(values) != 2:
            raise ValueError("cursor from another listing")
        return tuple(_typed(v) for v in values)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError(
            [FieldError("cursor", "is not a cursor of this listing; start again without it")]
        ) from None
