"""Rate limits and sign-in throttling, on the `limits` library.

Counters live in Redis when `REDIS_URL` is set, so every worker and every host shares them;
otherwise in this process's memory.

Sign-in is throttled three ways:
- every attempt counts against the client IP (`LOGIN_LIMIT_PER_IP`);
- failures count against the account from that IP: 5 a minute, then 20 an hour, a step-wise
  backoff for someone guessing one account;
- failures count against the account from anywhere, but only 10 a minute: an attacker can make
  the real user wait at most a minute, never lock them out for long.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from dreamery.core.config import Settings

ACCOUNT_FROM_IP = parse_many("5/minute;20/hour")
ACCOUNT_ANYWHERE = parse("10/minute")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


class Limiter:
    def __init__(self, settings: Settings) -> None:
        storage: Storage
        if settings.redis_url:
            uri = "async+" + settings.redis_url
            storage = RedisStorage(uri, implementation="redispy", key_prefix="dreamery-limits")
        else:
            storage = MemoryStorage()
        self.storage = storage
        self._window = SlidingWindowCounterRateLimiter(storage)
        self._exact = MovingWindowRateLimiter(storage)
        self.per_ip = parse_many(settings.rate_limit_per_ip)
        self.per_user = parse_many(settings.rate_limit_per_user)
        self.login_per_ip = parse_many(settings.login_limit_per_ip)

    async def hit(self, limits: list[RateLimitItem], *key: str) -> Verdict:
        """Count one request against every limit in `limits`."""
        for item in limits:
            if not await self._window.hit(item, *key):
                return Verdict(False, await self._wait(self._window, item, key))
        return Verdict(True)

    # --- sign-in -------------------------------------------------------------------------
    async def check_login(self, ip: str, account: str) -> Verdict:
        for item in self.login_per_ip:
            if not await self._exact.hit(item, "login-ip", ip):
                return Verdict(False, await self._wait(self._exact, item, ("login-ip", ip)))
        for item, key in self._failure_limits(ip, account):
            if not await self._exact.test(item, *key):
                return Verdict(False, await self._wait(self._exact, item, key))
        return Verdict(True)

    async def login_failed(self, ip: str, account: str) -> None:
        for item, key in self._failure_limits(ip, account):
            await self._exact.hit(item, *key)

    async def login_succeeded(self, ip: str, account: str) -> None:
        for item, key in self._failure_limits(ip, account)[: len(ACCOUNT_FROM_IP)]:
            await self._exact.clear(item, *key)

    def _failure_limits(self, ip: str, account: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        account = account.strip().lower()
        return [
            *((item, ("login-fail", account, ip)) for item in ACCOUNT_FROM_IP),
            (ACCOUNT_ANYWHERE, ("login-fail", account)),
        ]

    async def _wait(
        self,
        strategy: MovingWindowRateLimiter | SlidingWindowCounterRateLimiter,
        item: RateLimitItem,
        key: tuple[str, ...],
    ) -> int:
        stats = await strategy.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def reset(self) -> None:
        await self.storage.reset()

    async def close(self) -> None:
        close = getattr(self.storage, "close", None)
        if close is not None:
            await close()
