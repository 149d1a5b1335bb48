"""Sign-in over HTTP: register, log in (OAuth2 password form), refresh, log out, `/me`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from dreamery.api.deps import Acting, Claims, OpenSessions, Public, service, settings
from dreamery.auth import tokens
from dreamery.auth.schemas import (
    HubSettings,
    HubSettingsUpdate,
    LogoutRequest,
    PasswordChange,
    RefreshRequest,
    Registration,
    TokenPair,
)
from dreamery.auth.service import ReplayedRefreshToken, Session
from dreamery.auth.throttle import Limiter
from dreamery.core.errors import (
    AuthenticationError,
    FieldError,
    RateLimitedError,
    ValidationError,
)
from dreamery.core.http import RESPONSES
from dreamery.core.http.checks import check_too
from dreamery.core.http.units import client_ip
from dreamery.users.schemas import UserRead, UserReadFull

router = APIRouter(tags=["sign-in"])


def _pair(request: Request, session: Session) -> TokenPair:
    access, expires_in = tokens.issue_access_token(
        settings(request), session.user_id, session.session_id
    )
    return TokenPair(
        access_token=access,
        expires_in=expires_in,
        refresh_token=session.refresh_token,
        refresh_expires_in=session.refresh_expires_in,
    )


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


@router.post(
    "/auth/register",
    response_model=UserRead,
    status_code=201,
    summary="Sign up as a professional",
    responses=RESPONSES(403, 409, 422, 429),
)
async def register(data: Registration, request: Request, db: Public) -> Any:
    """Create an account with a role from the catalogue. Refused (403) when an administrator
    has turned self-registration off. Every error of the form comes in one 422 (the schema's,
    an unknown role, a password too easy to guess); an e-mail address already registered is
    409 `conflict` with `field: "email"`. Sign in afterwards with `/auth/login`. Sign-ups are
    limited per address (429 with `Retry-After`)."""
    limiter: Limiter = request.app.state.limiter
    verdict = await limiter.check_register(client_ip(request))
    if not verdict.allowed:
        raise RateLimitedError("too many sign-ups from this address; wait", verdict.retry_after)
    return await db.register(data)


async def _registration_checks(
    request: Request, body: Mapping[str, Any], failed: frozenset[str]
) -> list[FieldError]:
    db = await service(request)
    return await db.registration_errors(body, skip=failed)


check_too(register, _registration_checks)


@router.post(
    "/auth/login",
    response_model=TokenPair,
    summary="Sign in with email and password (OAuth2 password flow)",
    responses=RESPONSES(401, 422, 429),
)
async def login(
    request: Request,
    response: Response,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    db: Public,
) -> Any:
    """`username` is the email address. Too many attempts from one address, or too many
    failures for one account, answer 429 with `Retry-After`."""
    limiter: Limiter = request.app.state.limiter
    account = form.username[:254]
    async with limiter.login_attempt(client_ip(request), account) as attempt:
        if not attempt.allowed:
            raise RateLimitedError(
                "too many sign-in attempts; wait before trying again", attempt.retry_after
            )
        try:
            session = await db.sign_in(account, form.password[:1024])
        except AuthenticationError:
            attempt.failed()
            raise
        attempt.succeeded()
    _no_store(response)
    return _pair(request, session)


@router.post(
    "/auth/refresh",
    response_model=TokenPair,
    summary="Trade a refresh token for new tokens",
    responses=RESPONSES(401, 422),
)
async def refresh(data: RefreshRequest, request: Request, response: Response, db: Public) -> Any:
    """Each refresh token works once. Presenting a used one again ends that session, and
    the access tokens issued in it."""
    try:
        session = await db.refresh_session(data.refresh_token)
    except ReplayedRefreshToken as replayed:
        sessions: OpenSessions = request.app.state.sessions
        sessions.forget_user(replayed.user_id)
        raise
    _no_store(response)
    return _pair(request, session)


@router.post(
    "/auth/logout",
    status_code=204,
    summary="End this session (or every session)",
    responses=RESPONSES(401, 422),
)
async def logout(
    request: Request, claims: Claims, db: Acting, data: LogoutRequest | None = None
) -> Response:
    """Ends the session of this access token (and the one `refresh_token` renews, if sent;
    with `everywhere`, every session of yours): its refresh token and every access token
    issued in it stop working at once."""
    data = data or LogoutRequest()
    await db.sign_out(data.refresh_token, session_id=claims.session_id, everywhere=data.everywhere)
    _forget(request, claims)
    return Response(status_code=204)


def _forget(request: Request, claims: tokens.AccessClaims) -> None:
    """Sessions this worker ended are refused from the next request, not a second later."""
    sessions: OpenSessions = request.app.state.sessions
    sessions.forget_user(claims.user_id)


@router.post(
    "/auth/password",
    status_code=204,
    summary="Change your password; every session ends",
    responses=RESPONSES(401, 422, 429),
)
async def change_password(
    data: PasswordChange, request: Request, claims: Claims, db: Acting
) -> Response:
    """A wrong current password counts as a failed sign-in: guessing it is throttled alike."""
    limiter: Limiter = request.app.state.limiter
    account = (await db.find_me()).email
    async with limiter.login_attempt(client_ip(request), account) as attempt:
        if not attempt.allowed:
            raise RateLimitedError(
                "too many attempts at the current password; wait before trying again",
                attempt.retry_after,
            )
        try:
            await db.change_password(data.current_password, data.new_password)
        except ValidationError as error:
            if any(e.field == "current_password" for e in error.errors):
                attempt.failed()
            raise
        attempt.succeeded()
    _forget(request, claims)
    return Response(status_code=204)


@router.get(
    "/me",
    response_model=UserReadFull,
    summary="The signed-in user, with profile and role",
    responses=RESPONSES(401),
)
async def me(db: Acting) -> Any:
    return await db.find_me()


@router.get(
    "/api/v1/settings",
    response_model=HubSettings,
    tags=["administration"],
    summary="Run-time settings of the hub",
    responses=RESPONSES(401),
)
async def read_settings(db: Acting) -> Any:
    return await db.hub_settings()


@router.patch(
    "/api/v1/settings",
    response_model=HubSettings,
    tags=["administration"],
    summary="Change run-time settings (administrators)",
    responses=RESPONSES(401, 403, 422),
)
async def update_settings(data: HubSettingsUpdate, db: Acting) -> Any:
    return await db.update_hub_settings(data)
