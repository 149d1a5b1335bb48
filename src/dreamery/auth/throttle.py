"""Rate limits and sign-in throttling, on the `limits` library.

Counters live in Redis when `REDIS_URL` is set, so every worker and every host shares them;
otherwise in this process's memory (and `dreamery serve` then refuses more than one worker).
If Redis stops answering, counting goes on in memory (the outage logged once, Redis tried
again every few seconds) and back to Redis once it answers: a limit is never a 500.

Sign-in (and a password change, which guesses the current password) is throttled the way
OWASP's authentication guidance describes: the guesser slows down, the owner does not.
- One account from one address: after 5 failures in a minute that address waits; 20 in an
  hour and 50 in a day make it wait longer (a step-wise backoff for that source alone).
- One account from anywhere: 10 failures in 15 minutes put the account under attack. Then an
  address that has itself failed for it gets one attempt a minute; an address that has not
  failed for it is never held back by the others' failures, so the owner still signs in.
- One address, whatever the accounts: failures are limited (`LOGIN_FAILURES_PER_IP`), and
  attempts have a generous ceiling (`LOGIN_LIMIT_PER_IP`): an office behind one address that
  signs in all day is not refused.
Sign-up is limited per address (`REGISTER_LIMIT_PER_IP`): "that email is already in use"
then costs what a guess costs.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from limits import RateLimitItem, parse, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from dreamery.core.config import Settings
from dreamery.core.fallback import Breaker

ACCOUNT_FROM_ADDRESS = parse_many("5/minute;20/hour;50/day")
ACCOUNT_UNDER_ATTACK = parse("10/15 minutes")
SUSPECT_PACE = parse("1/minute")
Key = tuple[str, ...]
T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


class _Counters:
    """The two strategies over one storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.window = SlidingWindowCounterRateLimiter(storage)
        self.exact = MovingWindowRateLimiter(storage)


class Limiter:
    def __init__(self, settings: Settings) -> None:
        self._memory = _Counters(MemoryStorage())
        self._redis: _Counters | None = None
        if settings.redis_url:
            uri = "async+" + settings.redis_url
            self._redis = _Counters(
                RedisStorage(
                    uri,
                    implementation="redispy",
                    key_prefix="dreamery-limits",
                    socket_timeout=1,
                    socket_connect_timeout=1,
                )
            )
        self.breaker = Breaker(logger, "rate limits: Redis")
        self.storage = (self._redis or self._memory).storage
        self.per_ip = parse_many(settings.rate_limit_per_ip)
        self.per_user = parse_many(settings.rate_limit_per_user)
        self.login_per_ip = parse_many(settings.login_limit_per_ip)
        self.failures_per_ip = parse_many(settings.login_failures_per_ip)
        self.register_per_ip = parse_many(settings.register_limit_per_ip)

    @property
    def shared(self) -> bool:
        """Whether the counters are Redis's (every worker's), as they should be, right now."""
        return self._redis is not None and not self.breaker.down

    async def _run(self, work: Callable[[_Counters], Awaitable[T]]) -> T:
        """`work` on Redis's counters, or on this process's while Redis is out of reach."""
        if self._redis is not None and self.breaker.available():
            try:
                result = await work(self._redis)
            except Exception as error:  # any failure of the optional store: count locally
                self.breaker.failed(error, "counting in this process until it is back")
            else:
                self.breaker.succeeded()
                return result
        return await work(self._memory)

    async def hit(self, limits: list[RateLimitItem], *key: str) -> Verdict:
        """Count one request against every limit in `limits`."""

        async def count(counters: _Counters) -> Verdict:
            for item in limits:
                if not await counters.window.hit(item, *key):
                    return Verdict(False, await _wait(counters.window, item, key))
            return Verdict(True)

        return await self._run(count)

    async def check_register(self, ip: str) -> Verdict:
        return await self._run(
            lambda counters: _hit_exact(counters, self.register_per_ip, ("register-ip", ip))
        )

    # --- sign-in -------------------------------------------------------------------------
    async def check_login(self, ip: str, account: str) -> Verdict:
        """Whether a sign-in (or a current-password check) for `account` from `ip` may be
        tried now; counted against the address's ceiling."""
        account = _account(account)

        async def check(counters: _Counters) -> Verdict:
            exact = counters.exact
            ceiling = await _hit_exact(counters, self.login_per_ip, ("login-ip", ip))
            if not ceiling.allowed:
                return ceiling
            source = ("login-fail", account, ip)
            for items, key in (
                (self.failures_per_ip, ("login-fail-ip", ip)),
                (ACCOUNT_FROM_ADDRESS, source),
            ):
                for item in items:
                    if not await exact.test(item, *key):
                        return Verdict(False, await _wait(exact, item, key))
            attacked = not await exact.test(ACCOUNT_UNDER_ATTACK, "login-fail", account)
            if attacked and await _failures(exact, ACCOUNT_FROM_ADDRESS[-1], source):
                return await _hit_exact(counters, [SUSPECT_PACE], ("login-suspect", account, ip))
            return Verdict(True)

        return await self._run(check)

    async def login_failed(self, ip: str, account: str) -> None:
        account = _account(account)

        async def count(counters: _Counters) -> None:
            for item in ACCOUNT_FROM_ADDRESS:
                await counters.exact.hit(item, "login-fail", account, ip)
            await counters.exact.hit(ACCOUNT_UNDER_ATTACK, "login-fail", account)
            for item in self.failures_per_ip:
                await counters.exact.hit(item, "login-fail-ip", ip)

        await self._run(count)

    async def login_succeeded(self, ip: str, account: str) -> None:
        """The right password from `ip`: its own failures for the account are forgiven."""
        account = _account(account)

        async def forgive(counters: _Counters) -> None:
            for item in ACCOUNT_FROM_ADDRESS:
                await counters.exact.clear(item, "login-fail", account, ip)
            await counters.exact.clear(SUSPECT_PACE, "login-suspect", account, ip)

        await self._run(forgive)

    async def check(self) -> bool:
        """Whether Redis answers (True without Redis: the memory always does)."""
        if self._redis is None:
            return True
        try:
            return bool(await asyncio.wait_for(self._redis.storage.check(), timeout=1))
        except Exception:
            return False

    async def reset(self) -> None:
        await self._run(lambda counters: counters.storage.reset())

    async def close(self) -> None:
        for counters in (self._redis, self._memory):
            close = getattr(counters.storage, "close", None) if counters else None
            if close is not None:
                await close()


async def _hit_exact(counters: _Counters, items: list[RateLimitItem], key: Key) -> Verdict:
    for item in items:
        if not await counters.exact.hit(item, *key):
            return Verdict(False, await _wait(counters.exact, item, key))
    return Verdict(True)


async def _failures(exact: MovingWindowRateLimiter, item: RateLimitItem, key: Key) -> int:
    stats = await exact.get_window_stats(item, *key)
    return item.amount - stats.remaining


async def _wait(
    strategy: MovingWindowRateLimiter | SlidingWindowCounterRateLimiter,
    item: RateLimitItem,
    key: Key,
) -> int:
    stats = await strategy.get_window_stats(item, *key)
    return max(1, math.ceil(stats.reset_time - time.time()))


def _account(account: str) -> str:
    return account.strip().lower()[:254]
