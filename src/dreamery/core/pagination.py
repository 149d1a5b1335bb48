"""Keyset (cursor) pagination: a page costs the same at any depth.

A cursor is the sort key of the last row of a page, signed with HMAC-SHA256 under a key
derived from the hub's signing key: a client can hand it back, but not alter or make one.
Anything else given as a cursor is `InvalidCursorError` (400 `invalid_cursor` on HTTP).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

from dreamery.core.config import get_settings
from dreamery.core.errors import FieldError, InvalidCursorError, ValidationError

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
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    if isinstance(value, dict) and "u" in value:
        return uuid.UUID(value["u"])
    return value


MAC_BYTES = 16
MAX_CURSOR = 2048


@lru_cache(maxsize=4)
def _cursor_key(signing_key: str) -> bytes:
    # A key of its own: a cursor can never pass for a token signed with the hub's key.
    return hmac.new(signing_key.encode(), b"dreamery list cursor", hashlib.sha256).digest()


def _mac(payload: bytes) -> bytes:
    key = _cursor_key(get_settings().signing_key())
    return hmac.new(key, payload, hashlib.sha256).digest()[:MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(sort: str, values: tuple[Any, ...]) -> str:
    payload = json.dumps([sort, [_plain(v) for v in values]], separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(payload))}"


def decode_cursor(cursor: str, sort: str) -> tuple[Any, ...]:
    """The sort key a cursor points after. A cursor that was altered, made up or issued for
    another listing or sort is `InvalidCursorError`."""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR or cursor.count(".") != 1:
        raise InvalidCursorError()
    body, mac = cursor.split(".")
    try:
        payload, signature = _unb64(body), _unb64(mac)
    except (binascii.Error, ValueError):
        raise InvalidCursorError() from None
    if not hmac.compare_digest(signature, _mac(payload)):
        raise InvalidCursorError()
    try:
        name, values = json.loads(payload)
        if name != sort or not isinstance(values, list) or len(values) != 2:
            raise ValueError("cursor from another listing")
        return tuple(_typed(v) for v in values)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise InvalidCursorError() from None
