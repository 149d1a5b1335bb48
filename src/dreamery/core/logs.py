"""Log lines of a bounded size, whatever failed.

A traceback goes to the log once per unexpected error, cut to `MAX_TRACEBACK` characters
(the innermost frames kept: they say what failed), so no request can write megabytes to it.
A client's own mistake (4xx) is answered, never logged with a traceback.
"""

from __future__ import annotations

import logging
import time
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


class Outage:
    """Logs that a dependency failed once when it starts failing and once when it is back,
    not once per request in between."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self.since: float | None = None

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException, consequence: str) -> None:
        if self.since is None:
            self.since = time.monotonic()
            cause = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
            self.logger.warning(
                "%s unavailable (%s: %s); %s", self.what, type(error).__name__, cause, consequence
            )

    def recovered(self) -> None:
        if self.since is not None:
            lasted = time.monotonic() - self.since
            self.since = None
            self.logger.warning("%s is back after %.0f s", self.what, lasted)
