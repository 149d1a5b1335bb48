"""Log lines of a bounded size, whatever failed.

A traceback goes to the log once per unexpected error, cut to `MAX_TRACEBACK` characters
(the innermost frames kept: they say what failed), so no request can write megabytes to it.
A client's own mistake (4xx) is answered, never logged with a traceback.
"""

from __future__ import annotations

import logging
import traceback

MAX_TRACEBACK = 8_000


def bounded_traceback(error: BaseException, limit: int = MAX_TRACEBACK) -> str:
    """`error`'s traceback as text of at most `limit` characters."""
    text = "".join(traceback.format_exception(error))
    if len(text) <= limit:
        return text
    head = text[: limit // 4]
    tail = text[-(limit - len(head)) :]
    return f"{head}\n  ... {len(text) - limit:,} characters left out ...\n{tail}"


def log_unexpected(
    logger: logging.Logger, message: str, error: BaseException, *args: object
) -> None:
    """Log an unexpected error with its bounded traceback, as one record."""
    logger.error(message + "\n%s", *args, bounded_traceback(error))
