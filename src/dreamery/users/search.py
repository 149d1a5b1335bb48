"""Finding people: trigram search on PostgreSQL, full-text prefix search on SQLite.

Both search `users.search_text`, a lower-cased digest of a user's names, email, company and
specialties that the users service keeps current. On PostgreSQL a pg_trgm GIN index makes
substring and typo-tolerant matches fast; on SQLite an FTS5 table, kept in step by triggers,
answers word-prefix matches. Any input is answered: it is matched as text, never parsed as
query syntax.

The digest holds the e-mail address, which only some callers may see (`private`): any other
user is found only by what the rest of the digest holds, so an address is never a key to
someone's card.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import User, UserRole
from dreamery.models.users import FTS_TABLE, fold

MAX_QUERY = 200
MAX_TOKENS = 8
# word_similarity threshold for typo tolerance: "fernandes" still finds "Fernandez".
TYPO_THRESHOLD = "0.45"


def _tokens(query: str) -> list[str]:
    return re.findall(r"\w+", query.lower()[:MAX_QUERY])[:MAX_TOKENS]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(
    session: AsyncSession,
    query: str,
    conditions: Sequence[ColumnElement[bool]],
    limit: int,
    *,
    private: ColumnElement[bool] | None = None,
) -> list[User]:
    """Users matching `query` among those `conditions` allow, best match first: by their
    own words (names, email, company, specialties), then by the name of their role
    ("appraiser" finds the residential and the commercial appraisers). `private` selects
    the users whose e-mail the searcher may match (None: everyone's)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        found = await _search_postgres(session, query, conditions, limit, private)
    else:
        found = await _search_sqlite(session, query, conditions, limit, private)
    if len(found) >= limit:
        return found
    return found + await _by_role_name(session, query, conditions, limit - len(found), found)


async def _by_role_name(
    session: AsyncSession,
    query: str,
    conditions: Sequence[ColumnElement[bool]],
    limit: int,
    found: Sequence[User],
) -> list[User]:
    """Users whose role's name holds every word of `query`, by name, beyond `found`."""
    words = _tokens(fold(query))
    if not words:
        return []
    roles = select(UserRole.id).where(
        *(func.lower(UserRole.name).like(f"%{_like_escape(word)}%", escape="\\") for word in words)
    )
    statement = select(User).where(User.role_id.in_(roles), *conditions)
    if found:
        statement = statement.where(User.id.not_in([user.id for user in found]))
    statement = statement.order_by(User.last_name, User.first_name, User.id).limit(limit)
    return list((await session.scalars(statement)).all())


def _without_email() -> Any:
    """The digest less the user's e-mail address (as the digest folds it)."""
    return func.replace(User.search_text, func.lower(User.email), "")


def _not_by_email(
    private: ColumnElement[bool] | None, words: Sequence[str]
) -> list[ColumnElement[bool]]:
    """For users outside `private`, every word must match the digest without the e-mail."""
    if private is None:
        return []
    rest = _without_email()
    return [
        or_(private, and_(*(rest.like(f"%{_like_escape(word)}%", escape="\\") for word in words)))
    ]


def _name_prefix_rank(first_token: str) -> Any:
    prefix = f"{_like_escape(first_token)}%"
    return case(
        (
            or_(
                func.lower(User.first_name).like(prefix, escape="\\"),
                func.lower(User.last_name).like(prefix, escape="\\"),
            ),
            0,
        ),
        else_=1,
    )


async def _search_postgres(
    session: AsyncSession,
    query: str,
    conditions: Sequence[ColumnElement[bool]],
    limit: int,
    private: ColumnElement[bool] | None,
) -> list[User]:
    """Substring matches (trigram-indexed LIKE); only when there are none, words that are
    merely similar (typos), so the common case never pays for similarity ranking."""
    needle = fold(" ".join(query.split()))[:MAX_QUERY]
    tokens = _tokens(needle)
    if not needle or not tokens:
        return []
    # Every word somewhere, in any order ("smith john" finds John Smith): each LIKE is
    # answered by the trigram index, and the intersection is small.
    words = [token for token in tokens if len(token) >= 3] or [needle]
    contains = and_(
        *(User.search_text.like(f"%{_like_escape(word)}%", escape="\\") for word in words)
    )
    exact = (
        select(User)
        .where(contains, *conditions, *_not_by_email(private, words))
        .order_by(_name_prefix_rank(tokens[0]), User.last_name, User.first_name, User.id)
        .limit(limit)
    )
    found = list((await session.scalars(exact)).all())
    if found or len(needle) < 4:
        return found
    # For the connection, not the transaction: reads run without one on PostgreSQL, where a
    # transaction-local setting would be gone by the next statement. Always the same value.
    await session.execute(
        select(func.set_config("pg_trgm.word_similarity_threshold", TYPO_THRESHOLD, False))
    )
    similar_to: ColumnElement[bool] = User.search_text.op("%>")(needle)
    if private is not None:
        similar_to = and_(similar_to, or_(private, _without_email().op("%>")(needle)))
    similar = (
        select(User)
        .where(similar_to, *conditions)
        .order_by(func.word_similarity(needle, User.search_text).desc(), User.id)
        .limit(limit)
    )
    return list((await session.scalars(similar)).all())


async def _search_sqlite(
    session: AsyncSession,
    query: str,
    conditions: Sequence[ColumnElement[bool]],
    limit: int,
    private: ColumnElement[bool] | None,
) -> list[User]:
    tokens = _tokens(fold(query))
    if not tokens:
        return []
    match = " ".join(f'"{token}"*' for token in tokens)
    fts = table(FTS_TABLE, column("rowid"))
    statement = (
        select(User)
        .join(fts, fts.c.rowid == literal_column("users.rowid"))
        .where(
            text(f"{FTS_TABLE} MATCH :match").bindparams(match=match),
            *conditions,
            *_not_by_email(private, tokens),
        )
        .order_by(_name_prefix_rank(tokens[0]), text(f"bm25({FTS_TABLE})"), User.id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())
