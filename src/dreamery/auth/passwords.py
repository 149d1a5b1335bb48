"""Passwords: argon2id hashing and the policy a new password must meet.

The policy follows NIST SP 800-63B and OWASP ASVS 6.2: a length range, no composition rules,
and nothing easy to guess. zxcvbn estimates how many guesses a password would take, knowing
the hub's name, the words of the trade and the user's own email and name; anything below
`MIN_SCORE` is refused with its advice. A password made only of those words, digits and
punctuation ("Dreamery Hub 2026") is refused whatever its score.

A password is never altered: not trimmed, not case-folded, compared exactly as typed.
Hashing costs tens of milliseconds of CPU, and so may the estimate: both run in a worker
thread and never stall the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from dreamery.core.errors import FieldError, ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn's scale: 3 is "safely unguessable", fewer than 10^10 guesses is below it.
MIN_SCORE = 3
# zxcvbn's cost grows with length; the first 72 characters decide (as bcrypt's limit does).
SCORED_LENGTH = 72
# What anyone guessing at a real-estate hub tries first.
CONTEXT_WORDS = (
    "dreamery",
    "dreameryhub",
    "hub",
    "real",
    "estate",
    "realestate",
    "realtor",
    "realty",
    "property",
    "properties",
    "house",
    "home",
    "homes",
    "mortgage",
    "escrow",
    "agent",
    "broker",
    "lender",
    "listing",
    "appraisal",
    "appraiser",
    "closing",
    "title",
    "admin",
    "password",
)
_WORDS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4)
def hasher(memory_kib: int, iterations: int) -> PasswordHasher:
    return PasswordHasher(time_cost=iterations, memory_cost=memory_kib, parallelism=1, type=Type.ID)


def _configured() -> PasswordHasher:
    from dreamery.core.config import get_settings

    settings = get_settings()
    return hasher(settings.password_memory_kib, settings.password_iterations)


def _personal_words(email: str | None, names: Iterable[str | None]) -> list[str]:
    words: list[str] = []
    for value in (email, *names):
        if value:
            words.append(value.lower())
            words.extend(_WORDS.findall(value.lower()))
    return [word for word in words if len(word) >= 3]


def _only_obvious_words(password: str, context: Iterable[str]) -> bool:
    """Whether nothing is left of the password once the context words, digits, spaces and
    punctuation are taken out (longest words first)."""
    rest = password.lower()
    for word in sorted(set(context), key=len, reverse=True):
        rest = rest.replace(word, "")
    return not _WORDS.search(rest)


def problem_with(
    password: str, *, email: str | None = None, names: Iterable[str | None] = ()
) -> str | None:
    """What is wrong with `password` as a new password, or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if not password.strip():
        return "must not be only spaces"
    personal = _personal_words(email, names)
    if email and password.lower() in {email.lower(), email.split("@")[0].lower()}:
        return "must not be your email address"
    context = [*CONTEXT_WORDS, *personal]
    estimate = zxcvbn(password[:SCORED_LENGTH], user_inputs=context, max_length=SCORED_LENGTH)
    if estimate["score"] < MIN_SCORE:
        feedback = estimate["feedback"]
        advice = " ".join(part for part in (feedback["warning"], *feedback["suggestions"]) if part)
        return f"is too easy to guess. {advice or 'Add another word or two.'}".strip()
    if _only_obvious_words(password, context):
        return (
            "is made only of the hub's name, words of the trade, your name or email, digits "
            "and punctuation; add words of your own"
        )
    return None


def check_policy(
    password: str,
    *,
    field: str = "password",
    email: str | None = None,
    names: Iterable[str | None] = (),
) -> None:
    """Raise a ValidationError naming `field` if `password` may not be used."""
    problem = problem_with(password, email=email, names=names)
    if problem:
        raise ValidationError([FieldError(field, problem, "password_policy")])


async def ensure_acceptable(
    password: str,
    *,
    field: str = "password",
    email: str | None = None,
    names: Iterable[str | None] = (),
) -> None:
    """`check_policy` in a worker thread (the estimate may take tens of milliseconds)."""
    await asyncio.to_thread(check_policy, password, field=field, email=email, names=tuple(names))


async def password_errors(
    password: str,
    *,
    field: str = "password",
    email: str | None = None,
    names: Iterable[str | None] = (),
) -> list[FieldError]:
    """What `ensure_acceptable` would refuse `password` for (nothing when it is good)."""
    try:
        await ensure_acceptable(password, field=field, email=email, names=names)
    except ValidationError as refused:
        return list(refused.errors)
    return []


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
