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

An account is counted by the address the sign-in looks it up by (`core.emails.lookup_form`):
`PRO@example.com` and its full-width spelling are one account, with one budget. An attempt is
counted before its password is checked, not after: checking takes a while, and guesses sent
all at once would otherwise all be checked against a budget none of them has used yet. While
it is checked it holds a place in each failure budget (`LoginAttempt`); it gives the place back
when the password was right, and turns it into a failure when it was wrong.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from limits import RateLimitItem, parse, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from dreamery.core import emails
from dreamery.core.config import Settings
from dreamery.core.fallback import Breaker

ACCOUNT_FROM_ADDRESS = parse_many("5/minute;20/hour;50/day")
ACCOUNT_UNDER_ATTACK = parse("10/15 minutes")
SUSPECT_PACE = parse("1/minute")
# Attempts being checked are counted in buckets of this many seconds, the current one and
# the one before: a count that a lost process never gave back is gone a minute later.
IN_FLIGHT_BUCKET = 30
IN_FLIGHT_EXPIRY = 3 * IN_FLIGHT_BUCKET
KEY_PREFIX = "dreamery-limits"
Key = tuple[str, ...]
T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


class _Counters:
    """The two strategies over one storage, and the count of attempts being checked."""

    def __init__(self, storage: Storage, redis: Redis | None = None) -> None:
        self.storage = storage
        self.window = SlidingWindowCounterRateLimiter(storage)
        self.exact = MovingWindowRateLimiter(storage)
        self.redis = redis
        self._taking = asyncio.Lock()

    async def take(self, keys: tuple[Key, ...], bucket: int) -> list[int]:
        """Count one attempt in flight under each of `keys`, all at once; how many there are
        now under each, this one included.

        All at once, so that attempts arriving together are ranked in one order on every
        budget they share: taken one key at a time, a burst could interleave so that each
        attempt finds some budget full of the others, and none would be checked."""
        if self.redis is not None:
            async with self.redis.pipeline(transaction=True) as pipe:  # MULTI ... EXEC
                for key in keys:
                    pipe.incr(_redis_key(key, bucket))
                    pipe.expire(_redis_key(key, bucket), IN_FLIGHT_EXPIRY)
                    pipe.get(_redis_key(key, bucket - 1))
                replies = await pipe.execute()
            nows, befores = replies[0::3], replies[2::3]
        else:
            async with self._taking:
                nows = [
                    await self.storage.incr(_in_flight(key, bucket), IN_FLIGHT_EXPIRY)
                    for key in keys
                ]
            befores = [await self.storage.get(_in_flight(key, bucket - 1)) for key in keys]
        # A place given back late never counts below 0.
        return [
            max(1, int(now)) + max(0, int(before or 0))
            for now, before in zip(nows, befores, strict=True)
        ]

    async def give_back(self, key: Key, bucket: int) -> None:
        if self.redis is not None:
            await self.redis.decr(_redis_key(key, bucket))
        else:
            await self.storage.incr(_in_flight(key, bucket), IN_FLIGHT_EXPIRY, amount=-1)


@dataclass
class LoginAttempt:
    """One sign-in being checked: whether it may be (`allowed`, else `retry_after`), and, once
    the caller knows, whether its password was wrong (`failed()`) or right (`succeeded()`)."""

    ip: str
    account: str
    verdict: Verdict
    counters: _Counters | None = None  # where its places are held, if it holds any
    bucket: int = 0
    outcome: bool | None = field(default=None, init=False)

    @property
    def allowed(self) -> bool:
        return self.verdict.allowed

    @property
    def retry_after(self) -> int:
        return self.verdict.retry_after

    def failed(self) -> None:
        self.outcome = False

    def succeeded(self) -> None:
        self.outcome = True


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
                    key_prefix=KEY_PREFIX,
                    socket_timeout=1,
                    socket_connect_timeout=1,
                ),
                Redis.from_url(
                    settings.redis_url,
                    socket_timeout=1,
                    socket_connect_timeout=1,
                    # A pooled connection Redis closed meanwhile (a restart) is dropped and
                    # the command sent again on a new one, not reported as an outage.
                    retry=Retry(NoBackoff(), 1),
                    retry_on_error=[RedisConnectionError],
                ),
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
    @asynccontextmanager
    async def login_attempt(self, ip: str, account: str) -> AsyncIterator[LoginAttempt]:
        """A sign-in (or a current-password check) for `account` from `ip`.

        Check the password only if `attempt.allowed`; then say how it went. On leaving, a
        failure is counted, a success forgives this address its failures for the account,
        and an attempt that ended otherwise (an error) counts as neither.
        """
        attempt = await self._begin(ip, _account(account))
        try:
            yield attempt
        finally:
            await self._end(attempt)

    @staticmethod
    def _budgets(ip: str, account: str) -> tuple[Key, Key, Key]:
        """The failure budgets an attempt holds a place in: this address's, whatever the
        accounts; this account's from this address; this account's from anywhere."""
        return ("login-fail-ip", ip), ("login-fail", account, ip), ("login-fail", account)

    async def _begin(self, ip: str, account: str) -> LoginAttempt:
        bucket = int(time.time() // IN_FLIGHT_BUCKET)
        budgets = self._budgets(ip, account)

        async def begin(counters: _Counters) -> LoginAttempt:
            ceiling = await _hit_exact(counters, self.login_per_ip, ("login-ip", ip))
            if not ceiling.allowed:
                return LoginAttempt(ip, account, ceiling)
            in_flight = await counters.take(budgets, bucket)
            verdict = await self._judge(counters, budgets, in_flight)
            attempt = LoginAttempt(ip, account, verdict, counters, bucket)
            if not verdict.allowed:
                await self._give_back(attempt)
            return attempt

        return await self._run(begin)

    async def _judge(
        self, counters: _Counters, budgets: tuple[Key, Key, Key], in_flight: list[int]
    ) -> Verdict:
        """Whether an attempt may be checked, with `in_flight` attempts (itself included)
        being checked on each of its `budgets`: the failures and the attempts in flight
        together stay within every limit."""
        exact = counters.exact
        from_ip, source, anywhere = budgets
        for items, key, count in (
            (self.failures_per_ip, from_ip, in_flight[0]),
            (ACCOUNT_FROM_ADDRESS, source, in_flight[1]),
        ):
            for item in items:
                if not await exact.test(item, *key, cost=count):
                    return await _refusal(exact, item, key)
        attacked = not await exact.test(ACCOUNT_UNDER_ATTACK, *anywhere, cost=in_flight[2])
        # Under attack, an address that failed for the account, or is guessing it several
        # at a time, gets one attempt a minute.
        if attacked and (
            in_flight[1] > 1 or await _failures(exact, ACCOUNT_FROM_ADDRESS[-1], source)
        ):
            return await _hit_exact(counters, [SUSPECT_PACE], ("login-suspect", *source[1:]))
        return Verdict(True)

    async def _end(self, attempt: LoginAttempt) -> None:
        if attempt.counters is None:
            return
        if attempt.outcome is False:
            await self._count_failure(attempt.ip, attempt.account)
        elif attempt.outcome is True:
            await self._forgive(attempt.ip, attempt.account)
        await self._give_back(attempt)

    async def _give_back(self, attempt: LoginAttempt) -> None:
        """Free the attempt's places where they are held: a place held in Redis while Redis
        is out of reach frees itself when its bucket expires."""
        counters, attempt.counters = attempt.counters, None
        if counters is None:
            return
        try:
            for key in self._budgets(attempt.ip, attempt.account):
                await counters.give_back(key, attempt.bucket)
        except Exception as error:  # only Redis fails, and the count expires there anyway
            self.breaker.failed(error, "counting in this process until it is back")

    async def _count_failure(self, ip: str, account: str) -> None:
        async def count(counters: _Counters) -> None:
            for item in ACCOUNT_FROM_ADDRESS:
                await counters.exact.hit(item, "login-fail", account, ip)
            await counters.exact.hit(ACCOUNT_UNDER_ATTACK, "login-fail", account)
            for item in self.failures_per_ip:
                await counters.exact.hit(item, "login-fail-ip", ip)

        await self._run(count)

    async def _forgive(self, ip: str, account: str) -> None:
        """The right password from `ip`: its own failures for the account are forgiven."""

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
        if self._redis is not None and self._redis.redis is not None:
            await self._redis.redis.aclose()


async def _hit_exact(counters: _Counters, items: list[RateLimitItem], key: Key) -> Verdict:
    for item in items:
        if not await counters.exact.hit(item, *key):
            return Verdict(False, await _wait(counters.exact, item, key))
    return Verdict(True)


async def _refusal(exact: MovingWindowRateLimiter, item: RateLimitItem, key: Key) -> Verdict:
    """Refused by `item`: until its window frees a place, or, when the attempts still being
    checked fill it rather than failures, in a second."""
    if await exact.test(item, *key):
        return Verdict(False, 1)
    return Verdict(False, await _wait(exact, item, key))


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


def _in_flight(key: Key, bucket: int) -> str:
    return "/".join(("login-in-flight", *key, str(bucket)))


def _redis_key(key: Key, bucket: int) -> str:
    """The in-flight count's key in Redis: under the limits' prefix, so `reset` clears it."""
    return f"{KEY_PREFIX}:{_in_flight(key, bucket)}"


def _account(account: str) -> str:
    """The account as the sign-in finds it: the address's stored spelling, compared
    case-blind as the database compares it. Every way of writing one address is one key."""
    return emails.lookup_form(account[:254]).lower()
