"""What a route checks beyond its schema, run even when the schema refused the body, so that
one 422 lists every error of a request.

A body that breaks its schema never reaches the route, and the service's own checks (that a
referenced row exists, that a password is strong enough) would speak only in a second round.
A route registers those checks here (`check_too(endpoint, checker)`); the 422 handler runs
them on the fields the schema let through, and adds what they find to the schema's errors.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import Request

from dreamery.core.errors import DreameryError, FieldError
from dreamery.core.schemas import unstorable

logger = logging.getLogger(__name__)

# (request, the body as sent, the top-level fields the schema refused) -> more field errors
Checker = Callable[[Request, Mapping[str, Any], frozenset[str]], Awaitable[list[FieldError]]]
_CHECKERS: dict[Callable[..., Any], Checker] = {}


def check_too(endpoint: Callable[..., Any], checker: Checker) -> None:
    """Run `checker` on what `endpoint`'s schema let through when it refuses a body."""
    _CHECKERS[endpoint] = checker


async def further_errors(
    request: Request, body: Mapping[str, Any], failed: frozenset[str]
) -> list[FieldError]:
    """The errors the route's own checks find in a body its schema refused (none when the
    route registered no checks, or when they cannot run: the schema's errors still stand)."""
    route = request.scope.get("route")
    checker = _CHECKERS.get(getattr(route, "endpoint", None))  # type: ignore[arg-type]
    if checker is None:
        return []
    # A value no database can hold (a NUL character...) is not looked up either.
    failed |= {str(loc[0]) for loc, _ in unstorable(body) if loc}
    try:
        return await checker(request, body, failed)
    except DreameryError as error:
        logger.debug("further checks skipped on %s: %s", request.url.path, error)
        return []


__all__ = ["Checker", "check_too", "further_errors"]
