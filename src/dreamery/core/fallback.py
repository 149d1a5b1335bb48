"""Optional dependencies that fail without taking the hub down with them.

A `Breaker` stands in front of one (Redis): after a failure, callers skip it for `cooldown`
seconds and use their in-process fallback, so a dependency that is down costs one timeout
per cooldown instead of one per request. The outage is logged once when it starts and once
when it ends (`core.logs.Outage`); the first call after the cooldown tries again, and service
resumes on its own when the dependency is back.
"""

from __future__ import annotations

import logging
import time

from dreamery.core.logs import Outage

DEFAULT_COOLDOWN = 5.0


class Breaker:
    def __init__(self, logger: logging.Logger, what: str, *, cooldown: float = DEFAULT_COOLDOWN):
        self.outage = Outage(logger, what)
        self.cooldown = cooldown
        self._retry_at = 0.0

    @property
    def down(self) -> bool:
        return self.outage.down

    def available(self) -> bool:
        """Whether to try the dependency now (it is up, or its cooldown has passed)."""
        return not self.outage.down or time.monotonic() >= self._retry_at

    def failed(self, error: BaseException, consequence: str) -> None:
        self._retry_at = time.monotonic() + self.cooldown
        self.outage.failed(error, consequence)

    def succeeded(self) -> None:
        self.outage.recovered()
