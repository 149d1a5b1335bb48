"""Passwords: argon2id hashing and the policy a new password must meet.

The policy follows NIST SP 800-63B: a length range and a list of passwords known to be common,
no composition rules. Hashing costs tens of milliseconds of CPU, so it runs in a worker thread
and never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dreamery.core.errors import FieldError, ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 128
# How many of the most used passwords (zxcvbn's ranked list) are refused outright.
COMMON_PASSWORDS_REFUSED = 10_000


@lru_cache(maxsize=4)
def hasher(memory_kib: int, iterations: int) -> PasswordHasher:
    return PasswordHasher(time_cost=iterations, memory_cost=memory_kib, parallelism=1, type=Type.ID)


def _configured() -> PasswordHasher:
    from dreamery.core.config import get_settings

    settings = get_settings()
    return hasher(settings.password_memory_kib, settings.password_iterations)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_REFUSED])


def check_policy(password: str, *, field: str = "password", email: str | None = None) -> None:
    """Raise a ValidationError naming `field` if `password` may not be used."""
    problem = None
    if len(password) < MIN_LENGTH:
        problem = f"must be at least {MIN_LENGTH} characters"
    elif len(password) > MAX_LENGTH:
        problem = f"must be at most {MAX_LENGTH} characters"
    elif password.lower() in _common_passwords():
        problem = "is one of the most common passwords; choose another"
    elif email and password.lower() in {email.lower(), email.split("@")[0].lower()}:
        problem = "must not be your email address"
    if problem:
        raise ValidationError([FieldError(field, problem, "password_policy")])


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_configured().hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(memory_kib: int, iterations: int) -> str:
    return hasher(memory_kib, iterations).hash("dreamery: no such account")


async def verify_password(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Whether `password` matches, and a new hash when the stored one is below today's cost.

    With no stored hash (unknown account, or one that never set a password) a dummy hash is
    checked instead, so the answer takes about as long either way.
    """
    current = _configured()

    def check() -> tuple[bool, str | None]:
        if password_hash is None:
            memory, iterations = current.memory_cost, current.time_cost
            with contextlib.suppress(VerificationError):
                current.verify(_dummy_hash(memory, iterations), password)
            return False, None
        try:
            current.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        if current.check_needs_rehash(password_hash):
            return True, current.hash(password)
        return True, None

    return await asyncio.to_thread(check)
