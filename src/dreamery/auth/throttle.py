"""Rate limits and sign-in throttling, on the `limits` library.

Counters live in Redis when `REDIS_URL` is set, so every worker and every host shares them;
otherwise in this process's memory (and `dreamery serve` then refuses more than one worker).

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

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from dreamery.core.config import Settings

ACCOUNT_FROM_ADDRESS = parse_many("5/minute;20/hour;50/day")
ACCOUNT_UNDER_ATTACK = parse("10/15 minutes")
SUSPECT_PACE = parse("1/minute")
Key = tuple[str, ...]


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
        self.failures_per_ip = parse_many(settings.login_failures_per_ip)
        self.register_per_ip = parse_many(settings.register_limit_per_ip)

    async def hit(self, limits: list[RateLimitItem], *key: str) -> Verdict:
        """Count one request against every limit in `limits`."""
        for item in limits:
            if not await self._window.hit(item, *key):
                return Verdict(False, await self._wait(self._window, item, key))
        return Verdict(True)

    async def check_register(self, ip: str) -> Verdict:
        return await self._hit_exact(self.register_per_ip, ("register-ip", ip))

    # --- sign-in -------------------------------------------------------------------------
    async def check_login(self, ip: str, account: str) -> Verdict:
        """Whether a sign-in (or a current-password check) for `account` from `ip` may be
        tried now; counted against the address's ceiling."""
        account = _account(account)
        ceiling = await self._hit_exact(self.login_per_ip, ("login-ip", ip))
        if not ceiling.allowed:
            return ceiling
        source = ("login-fail", account, ip)
        for items, key in (
            (self.failures_per_ip, ("login-fail-ip", ip)),
            (ACCOUNT_FROM_ADDRESS, source),
        ):
            for item in items:
                if not await self._exact.test(item, *key):
                    return Verdict(False, await self._wait(self._exact, item, key))
        attacked = not await self._exact.test(ACCOUNT_UNDER_ATTACK, "login-fail", account)
        if attacked and await self._failures(ACCOUNT_FROM_ADDRESS[-1], source):
            return await self._hit_exact([SUSPECT_PACE], ("login-suspect", account, ip))
        return Verdict(True)

    async def login_failed(self, ip: str, account: str) -> None:
        account = _account(account)
        for item in ACCOUNT_FROM_ADDRESS:
            await self._exact.hit(item, "login-fail", account, ip)
        await self._exact.hit(ACCOUNT_UNDER_ATTACK, "login-fail", account)
        for item in self.failures_per_ip:
            await self._exact.hit(item, "login-fail-ip", ip)

    async def login_succeeded(self, ip: str, account: str) -> None:
        """The right password from `ip`: its own failures for the account are forgiven."""
        account = _account(account)
        for item in ACCOUNT_FROM_ADDRESS:
            await self._exact.clear(item, "login-fail", account, ip)
        await self._exact.clear(SUSPECT_PACE, "login-suspect", account, ip)

    # --- counting ------------------------------------------------------------------------
    async def _hit_exact(self, items: list[RateLimitItem], key: Key) -> Verdict:
        for item in items:
            if not await self._exact.hit(item, *key):
                return Verdict(False, await self._wait(self._exact, item, key))
        return Verdict(True)

    async def _failures(self, item: RateLimitItem, key: Key) -> int:
        stats = await self._exact.get_window_stats(item, *key)
        return item.amount - stats.remaining

    async def _wait(
        self,
        strategy: MovingWindowRateLimiter | SlidingWindowCounterRateLimiter,
        item: RateLimitItem,
        key: Key,
    ) -> int:
        stats = await strategy.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def reset(self) -> None:
        await self.storage.reset()

    async def close(self) -> None:
        close = getattr(self.storage, "close", None)
        if close is not None:
            await close()


def _account(account: str) -> str:
    return account.strip().lower()[:254]
