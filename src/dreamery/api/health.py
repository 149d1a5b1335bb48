"""Liveness and readiness.

`/ready` says whether this process can serve: the database answers and is at the code's
revision (503 otherwise), and whether Redis, when configured, answers (if not, the hub still
serves, on its in-process fallbacks: `"degraded"`). The answer names no host, user or
database: why a check failed goes to the log. It is worked out at most once a second, so a
load balancer polling it costs the database nothing to speak of.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from dreamery.auth.throttle import Limiter
from dreamery.core.errors import DreameryError
from dreamery.core.logs import Outage
from dreamery.migrations import maintenance
from dreamery.migrations import runner as migrations

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)
CACHE_SECONDS = 1.0
_READINESS = Outage(logger, "readiness: the database")


@router.get("/health", summary="The process is up")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="The database answers and is migrated to head; Redis answers, if configured",
)
async def ready(request: Request) -> Any:
    state = request.app.state
    cached: tuple[float, int, dict[str, Any]] | None = getattr(state, "readiness", None)
    now = time.monotonic()
    if cached is None or now - cached[0] >= CACHE_SECONDS:
        status, body = await _check(request)
        cached = (time.monotonic(), status, body)  # from when the answer is known
        state.readiness = cached
    _, status, body = cached
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def _check(request: Request) -> tuple[int, dict[str, Any]]:
    db = request.app.state.db
    limiter: Limiter = request.app.state.limiter
    checks: dict[str, str] = {}
    try:
        current = await maintenance.current_revision(db.engine)
    except DreameryError as error:
        _READINESS.failed(error, "answering 503 on /ready")
        return 503, {"status": "unavailable", "checks": {"database": "unavailable"}}
    head = migrations.head_revision()
    if current != head:
        logger.warning("readiness: database at revision %s, code at %s", current, head)
        return 503, {"status": "unavailable", "checks": {"database": "not migrated"}}
    _READINESS.recovered()
    checks["database"] = "ok"
    if request.app.state.settings.redis_url:
        answers = await limiter.check()
        checks["redis"] = "ok" if answers else "unavailable (serving without it)"
        if not answers:
            logger.warning("readiness: Redis does not answer; limits and caches are per process")
    status = "ready" if all(value == "ok" for value in checks.values()) else "degraded"
    return 200, {"status": status, "revision": current, "checks": checks}
