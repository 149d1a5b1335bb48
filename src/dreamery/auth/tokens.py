"""Access tokens (JWT, HS256 pinned) and refresh tokens (opaque, stored as SHA-256).

An access token says who is calling, in which session, for a few minutes: algorithm,
signature, `exp`, `iat`, `nbf`, `iss`, `aud`, `sub`, `sid` and `typ` must all be right, and the
session it names must still be open (checked by the app on every request, see `api.deps`).
A refresh token is 256 random bits, not a JWT, so it can never pass as an access token.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from dreamery.core.config import Settings
from dreamery.core.types import utcnow

ALGORITHM = "HS256"
ACCESS_TYPE = "access"
LEEWAY_SECONDS = 10


class InvalidTokenError(Exception):
    """The token is missing, malformed, expired, or not for us."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    expires_at: datetime
    token_id: str


def issue_access_token(
    settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID
) -> tuple[str, int]:
    """A signed access token for `user_id` in session `session_id`, and its lifetime in
    seconds."""
    now = utcnow()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "typ": ACCESS_TYPE,
        "jti": secrets.token_hex(8),
    }
    token = jwt.encode(claims, _key(settings), algorithm=ALGORITHM, headers={"typ": "at+jwt"})
    return token, int(lifetime.total_seconds())


def read_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            _key(settings),
            algorithms=[ALGORITHM],
            audience=settings.token_audience,
            issuer=settings.token_issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub", "sid", "typ", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidTokenError("the access token has expired; refresh it") from None
    except jwt.PyJWTError:
        raise InvalidTokenError("the access token is not valid") from None
    if claims.get("typ") != ACCESS_TYPE:
        raise InvalidTokenError("this is not an access token")
    try:
        user_id = uuid.UUID(str(claims["sub"]))
        session_id = uuid.UUID(str(claims["sid"]))
    except ValueError:
        raise InvalidTokenError("the access token is not valid") from None
    expires = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    return AccessClaims(user_id, session_id, expires, str(claims["jti"]))


def new_refresh_token() -> tuple[str, str]:
    """A fresh refresh token and the hash under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _key(settings: Settings) -> str:
    return settings.signing_key()
