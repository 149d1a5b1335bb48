"""Role -> permission names, cached in the process and, when REDIS_URL is set, in Redis.

Invalidation bumps a generation number: locally at once, and in Redis for every other process,
which sees the new generation on its next lookup and drops what it had. If Redis stops
answering, lookups go to the database (correct, just slower): the outage is logged once, Redis
is left alone for a few seconds at a time (`core.fallback.Breaker`), and used again once it
answers.

A write that changes who may do what (a permission, a grant, a role) calls
`invalidate_on_commit(session)`: the cache the unit of work carries (`attach`) is dropped once
the change has committed, never before, so no other request reads the old grants again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core.db import on_commit
from dreamery.core.fallback import Breaker

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 300
_CACHE = "dreamery.permission_cache"


class PermissionCache:
    def __init__(
        self,
        redis_url: str | None = None,
        *,
        namespace: str = "dreamery:permissions",
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
    ) -> None:
        self._local: dict[str, frozenset[str]] = {}
        self._generation: str | None = None
        self._namespace = namespace
        self._ttl = ttl_seconds
        self._redis: Any = None
        if redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
        self.breaker = Breaker(logger, "permission cache: Redis")

    @property
    def shared(self) -> bool:
        return self._redis is not None

    def _use_redis(self) -> bool:
        return self._redis is not None and self.breaker.available()

    async def get(self, role_id: str) -> frozenset[str] | None:
        if self._redis is None:
            return self._local.get(role_id)
        if not self._use_redis():
            return None  # another process may have changed grants meanwhile: ask the database
        try:
            generation = await self._current_generation()
            if self.breaker.down:
                # A grant may have changed while Redis could not be told: start afresh.
                generation = await self._bump()
                self.breaker.succeeded()
            if (hit := self._local.get(role_id)) is not None:
                return hit
            raw = await self._redis.get(self._key(generation, role_id))
        except Exception as error:
            self._warn(error)
            return None
        if raw is None:
            return None
        value = frozenset(json.loads(raw))
        self._local[role_id] = value
        return value

    async def put(self, role_id: str, names: Iterable[str]) -> frozenset[str]:
        value = frozenset(names)
        self._local[role_id] = value
        if self._use_redis():
            try:
                generation = self._generation or await self._current_generation()
                await self._redis.set(
                    self._key(generation, role_id), json.dumps(sorted(value)), ex=self._ttl
                )
            except Exception as error:
                self._warn(error)
        return value

    async def invalidate(self) -> None:
        self._local.clear()
        if self._use_redis():
            try:
                await self._bump()
            except Exception as error:
                self._warn(error)

    async def _bump(self) -> str:
        self._local.clear()
        self._generation = str(await self._redis.incr(f"{self._namespace}:generation"))
        return self._generation

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def _current_generation(self) -> str:
        raw = await self._redis.get(f"{self._namespace}:generation")
        generation = raw.decode() if raw is not None else "0"
        if generation != self._generation:
            self._local.clear()
            self._generation = generation
        return generation

    def _key(self, generation: str, role_id: str) -> str:
        return f"{self._namespace}:{generation}:{role_id}"

    def _warn(self, error: Exception) -> None:
        self._local.clear()  # what it held may be stale by the time Redis is back
        self.breaker.failed(error, "reading grants from the database")


def attach(session: AsyncSession, cache: PermissionCache) -> None:
    """Let writes in this unit of work find the cache they must invalidate."""
    session.info[_CACHE] = cache


def invalidate_on_commit(session: AsyncSession) -> None:
    """Drop the cached grants once this transaction commits."""
    cache: PermissionCache | None = session.info.get(_CACHE)
    if cache is not None:
        on_commit(session, cache.invalidate)
