"""Sign-in: registration, passwords, tokens, refresh rotation, logout, brute-force limits."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from sqlalchemy import select, text

from dreamery import DatabaseService
from dreamery.api.app import create_app
from dreamery.api.deps import OpenSessions
from dreamery.auth import passwords
from dreamery.auth import service as auth
from dreamery.core.config import Settings, get_settings
from dreamery.core.context import RequestContext
from dreamery.core.db import WRITE_OPTION, create_sessionmaker
from dreamery.core.errors import AuthenticationError
from dreamery.models import User
from tests.hub import PASSWORD, Person, SignUp, client_for, settings

pytestmark = pytest.mark.usefixtures("backend")


def _registration(email: str, **fields: object) -> dict[str, object]:
    return {
        "email": email,
        "password": PASSWORD,
        "first_name": "Jane",
        "last_name": "Doe",
        "role_id": "mortgage-broker",
    } | fields


async def test_a_professional_signs_up_signs_in_and_sees_themselves(
    client: httpx.AsyncClient,
) -> None:
    email = f"Jane.{uuid.uuid4().hex[:8]}@Example.com"
    created = await client.post(
        "/auth/register", json=_registration(email, profile={"company": "Doe Lending"})
    )
    assert created.status_code == 201, created.text
    assert created.json()["role_id"] == "mortgage-broker"
    assert "password" not in created.text and "password_hash" not in created.text

    login = await client.post("/auth/login", data={"username": email.lower(), "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert login.headers["cache-control"] == "no-store"
    pair = login.json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 15 * 60

    me = await client.get("/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == email.replace("@Example.com", "@example.com")  # domain normalised
    assert body["role"]["category_id"] == "lending-financing"
    assert body["profile"]["company"] == "Doe Lending"
    assert body["last_login_at"] is not None


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"password": "short1"}, "password", "at least 8"),
        ({"password": "x" * 129}, "password", "at most 128"),
        ({"password": "password1"}, "password", "common password"),
        ({"password": "Football"}, "password", "common password"),
        ({"password": "aaaaaaaaaaaa"}, "password", "Repeats"),
        ({"password": "dreamery123"}, "password", "too easy to guess"),
        ({"password": "realestate"}, "password", "too easy to guess"),
        ({"password": "Dreamery Hub 2026"}, "password", "the hub's name"),
        ({"password": "Jane Doe 1985"}, "password", "your name"),
        ({"password": " " * 12}, "password", "only spaces"),
        ({"email": "\u0430dmin@example.com"}, "email", "Cyrillic and Latin"),
        ({"email": "p\u0430yp\u0430l@example.com"}, "email", "look-alike"),
        ({"email": "\u0440\u0430\u0443@example.com"}, "email", "pass for Latin"),
        ({"email": "jane@ex\u0430mple.com"}, "email", "domain label"),
        ({"role_id": "no-such-role"}, "role_id", "no role 'no-such-role'"),
        ({"email": "not-an-email"}, "email", "email"),
        ({"is_admin": True}, "is_admin", "Extra inputs"),
    ],
)
async def test_registration_refuses_bad_input_by_field(
    client: httpx.AsyncClient, fields: dict[str, object], field: str, fragment: str
) -> None:
    email = f"bad-{uuid.uuid4().hex[:8]}@example.com"
    answer = await client.post("/auth/register", json=_registration(email) | fields)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert any(e["field"] == field and fragment in e["message"] for e in errors), errors
    assert (
        await client.post("/auth/login", data={"username": email, "password": "x"})
    ).status_code == 401


async def test_an_email_registers_once_whatever_its_case(client: httpx.AsyncClient) -> None:
    email = f"twice-{uuid.uuid4().hex[:8]}@example.com"
    assert (await client.post("/auth/register", json=_registration(email))).status_code == 201
    again = await client.post("/auth/register", json=_registration(email.upper()))
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["field"]) == ("conflict", "email")
    assert again.json()["errors"] == [
        {"field": "email", "message": "is already in use", "type": "unique"}
    ]


async def test_a_password_is_used_exactly_as_typed(client: httpx.AsyncClient) -> None:
    email = f"spaced-{uuid.uuid4().hex[:8]}@example.com"
    typed = "  quiet harbour lantern 7  "
    assert (
        await client.post("/auth/register", json=_registration(email, password=typed))
    ).status_code == 201
    exact = await client.post("/auth/login", data={"username": email, "password": typed})
    assert exact.status_code == 200, exact.text
    trimmed = await client.post("/auth/login", data={"username": email, "password": typed.strip()})
    assert trimmed.status_code == 401
    headers = _bearer(exact)
    changed = await client.post(
        "/auth/password",
        json={"current_password": typed, "new_password": " another quiet lantern 8 "},
        headers=headers,
    )
    assert changed.status_code == 204, changed.text
    again = await client.post(
        "/auth/login", data={"username": email, "password": " another quiet lantern 8 "}
    )
    assert again.status_code == 200


async def test_one_mailbox_is_one_account_however_it_is_spelled(
    client: httpx.AsyncClient,
) -> None:
    name = f"mailbox{uuid.uuid4().hex[:8]}"
    created = await client.post("/auth/register", json=_registration(f"{name}@xn--bcher-kva.de"))
    assert created.status_code == 201, created.text
    assert created.json()["email"] == f"{name}@b\u00fccher.de"  # one spelling, IDNA decoded
    for spelling in (f"{name}@B\u00dcCHER.de", f"{name}@b\u00fccher.DE"):
        again = await client.post("/auth/register", json=_registration(spelling))
        assert again.status_code == 409, spelling
        assert again.json()["errors"][0]["message"] == "is already in use"
        login = await client.post("/auth/login", data={"username": spelling, "password": PASSWORD})
        assert login.status_code == 200, spelling
    # Full-width letters fold to the ones they stand for (NFKC).
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in "wide")
    folded = await client.post("/auth/register", json=_registration(f"{wide}{name}@example.com"))
    assert folded.status_code == 201, folded.text
    assert folded.json()["email"] == f"wide{name}@example.com"
    # A whole local part in another script is an address like any other.
    digits = f"{uuid.uuid4().int % 10**8:08d}"
    cyrillic = await client.post(
        "/auth/register", json=_registration(f"\u0430\u0434\u043c\u0438\u043d{digits}@example.com")
    )
    assert cyrillic.status_code == 201, cyrillic.text


async def test_wrong_password_and_unknown_email_answer_alike(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    wrong = await client.post(
        "/auth/login", data={"username": person.email, "password": "nope-nope"}
    )
    unknown = await client.post(
        "/auth/login", data={"username": "nobody@example.com", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "wrong email or password"
    assert wrong.headers["www-authenticate"].startswith("Bearer")

    # Both paths run one argon2id verification: their times are of the same order.
    durations = {}
    for email in (person.email, "ghost@example.com"):
        started = time.perf_counter()
        for _ in range(3):
            await client.post("/auth/login", data={"username": email, "password": "nope-nope-2"})
        durations[email] = time.perf_counter() - started
    slow, fast = max(durations.values()), min(durations.values())
    assert slow < fast * 4, durations


async def test_refresh_rotates_and_a_reused_token_ends_the_session(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    first = await client.post("/auth/refresh", json={"refresh_token": person.refresh_token})
    assert first.status_code == 200, first.text
    second_token = first.json()["refresh_token"]
    assert second_token != person.refresh_token
    me = await client.get(
        "/me", headers={"Authorization": f"Bearer {first.json()['access_token']}"}
    )
    assert me.status_code == 200

    # The first token again: someone copied it. Its session ends, the newer token included.
    replay = await client.post("/auth/refresh", json={"refresh_token": person.refresh_token})
    assert replay.status_code == 401
    assert (
        await client.post("/auth/refresh", json={"refresh_token": second_token})
    ).status_code == 401
    garbage = await client.post("/auth/refresh", json={"refresh_token": "x" * 40})
    assert garbage.status_code == 401


async def test_logout_ends_one_session_or_all(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    person = await sign_up()
    other = await client.post("/auth/login", data={"username": person.email, "password": PASSWORD})
    other_refresh = other.json()["refresh_token"]

    out = await client.post(
        "/auth/logout", json={"refresh_token": person.refresh_token}, headers=person.headers
    )
    assert out.status_code == 204
    assert (
        await client.post("/auth/refresh", json={"refresh_token": person.refresh_token})
    ).status_code == 401
    still = await client.post("/auth/refresh", json={"refresh_token": other_refresh})
    assert still.status_code == 200

    assert await _me(client, person.headers) == 401, "its access token ended with it"
    everywhere = await client.post(
        "/auth/logout",
        json={"refresh_token": still.json()["refresh_token"], "everywhere": True},
        headers=_bearer(still),
    )
    assert everywhere.status_code == 204
    assert (
        await client.post("/auth/refresh", json={"refresh_token": still.json()["refresh_token"]})
    ).status_code == 401
    assert (await client.post("/auth/logout", json={"refresh_token": "x"})).status_code == 401


async def _until_someone_waits_for_a_lock(db: DatabaseService, backend: str) -> None:
    """Until a transaction of the database waits for a row lock (PostgreSQL), or a moment
    (SQLite, whose writers wait in its busy handler, out of sight)."""
    if backend != "postgresql":
        await asyncio.sleep(0.5)
        return
    for _ in range(100):
        async with db.engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the sign-out never waited for the refresh")


@pytest.mark.parametrize("ending", ["sign-out", "everywhere", "new password"])
async def test_a_session_ended_during_its_refresh_ends_with_the_refreshed_token(
    committing_db: DatabaseService, backend: str, ending: str
) -> None:
    """A refresh holds its session's token while it issues the next one; a sign-out or a
    password change that comes meanwhile waits for it, and ends the new token too."""
    db = committing_db
    user = await db.create_user(
        {
            "email": f"race-{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Ray",
            "last_name": "Race",
            "role_id": "handyman",
        }
    )
    await db.set_user_password(user.id, PASSWORD)
    first = await db.sign_in(user.email, PASSWORD)
    me = db.acting_as(user.id)
    end = {
        "sign-out": lambda: me.sign_out(session_id=first.session_id),
        "everywhere": lambda: me.sign_out(everywhere=True),
        "new password": lambda: db.set_user_password(user.id, "another long password 7"),
    }[ending]
    async with create_sessionmaker(db.engine)() as refreshing:
        await refreshing.connection(execution_options={WRITE_OPTION: True})
        renewed = await auth.rotate(
            refreshing, RequestContext(), first.refresh_token, settings=get_settings()
        )
        assert isinstance(renewed, auth.Session)
        ending_task = asyncio.create_task(end())
        await _until_someone_waits_for_a_lock(db, backend)
        assert not ending_task.done(), "it waits for the refresh to commit"
        await refreshing.commit()
    await ending_task
    with pytest.raises(AuthenticationError):
        await db.refresh_session(renewed.refresh_token)
    assert not await db.session_alive(user.id, first.session_id)


async def test_changing_the_password_ends_every_session(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    wrong = await client.post(
        "/auth/password",
        json={"current_password": "not it at all", "new_password": "another long secret 2"},
        headers=person.headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    weak = await client.post(
        "/auth/password",
        json={"current_password": PASSWORD, "new_password": "qwerty123"},
        headers=person.headers,
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "new_password"

    changed = await client.post(
        "/auth/password",
        json={"current_password": PASSWORD, "new_password": "another long secret 2"},
        headers=person.headers,
    )
    assert changed.status_code == 204
    assert (
        await client.post("/auth/refresh", json={"refresh_token": person.refresh_token})
    ).status_code == 401
    old = await client.post("/auth/login", data={"username": person.email, "password": PASSWORD})
    assert old.status_code == 401
    new = await client.post(
        "/auth/login", data={"username": person.email, "password": "another long secret 2"}
    )
    assert new.status_code == 200


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/me", headers=headers)).status_code


def _bearer(pair: httpx.Response) -> dict[str, str]:
    assert pair.status_code == 200, pair.text
    return {"Authorization": f"Bearer {pair.json()['access_token']}"}


async def test_an_access_token_stops_working_when_its_session_is_signed_out(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    other = _bearer(
        await client.post("/auth/login", data={"username": person.email, "password": PASSWORD})
    )
    assert await _me(client, person.headers) == 200

    # No body at all: the session of the access token ends, and only that one.
    assert (await client.post("/auth/logout", headers=person.headers)).status_code == 204
    answer = await client.get("/me", headers=person.headers)
    assert answer.status_code == 401
    assert "session has ended" in answer.json()["detail"]
    assert (await client.get("/api/v1/tasks", headers=person.headers)).status_code == 401
    assert (
        await client.post("/auth/refresh", json={"refresh_token": person.refresh_token})
    ).status_code == 401
    assert await _me(client, other) == 200

    assert (
        await client.post("/auth/logout", json={"everywhere": True}, headers=other)
    ).status_code == 204
    assert await _me(client, other) == 401


async def test_signing_out_everywhere_ends_the_access_tokens_of_every_session(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    phone = _bearer(
        await client.post("/auth/login", data={"username": person.email, "password": PASSWORD})
    )
    assert await _me(client, phone) == 200
    out = await client.post("/auth/logout", json={"everywhere": True}, headers=person.headers)
    assert out.status_code == 204
    assert await _me(client, phone) == 401
    assert await _me(client, person.headers) == 401


async def test_a_password_change_ends_the_access_tokens_of_every_session(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    phone = _bearer(
        await client.post("/auth/login", data={"username": person.email, "password": PASSWORD})
    )
    assert await _me(client, phone) == 200
    changed = await client.post(
        "/auth/password",
        json={"current_password": PASSWORD, "new_password": "another long secret 2"},
        headers=person.headers,
    )
    assert changed.status_code == 204
    assert await _me(client, phone) == 401
    assert await _me(client, person.headers) == 401


async def test_a_replayed_refresh_token_ends_the_access_tokens_of_its_session(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    renewed = await client.post("/auth/refresh", json={"refresh_token": person.refresh_token})
    fresh = _bearer(renewed)
    assert await _me(client, fresh) == 200
    replay = await client.post("/auth/refresh", json={"refresh_token": person.refresh_token})
    assert replay.status_code == 401
    assert await _me(client, fresh) == 401
    assert await _me(client, person.headers) == 401


async def test_another_worker_refuses_an_ended_session_within_a_second(
    api_db: DatabaseService, client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    other_worker = create_app(api_db, settings())
    async with client_for(other_worker) as elsewhere:
        assert await _me(elsewhere, person.headers) == 200  # now remembered as open there
        assert (await client.post("/auth/logout", headers=person.headers)).status_code == 204
        # It trusts its memory for a second (OpenSessions.TTL), then asks the database.
        deadline = time.monotonic() + 10 * OpenSessions.TTL
        while await _me(elsewhere, person.headers) == 200:
            assert time.monotonic() < deadline, "the other worker never heard"
            await asyncio.sleep(0.1)


def _session_of(person: Person) -> str:
    """The session id the person's access token names."""
    token = person.headers["Authorization"].removeprefix("Bearer ")
    return str(jwt.decode(token, options={"verify_signature": False})["sid"])


def _claims(person: Person, **changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    s = Settings()
    return {
        "sub": str(person.id),
        "sid": _session_of(person),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
        "iss": s.token_issuer,
        "aud": s.token_audience,
        "typ": "access",
        "jti": "abc",
    } | changes


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_forged_and_misused_tokens_are_refused(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    person = await sign_up()
    key = Settings().signing_key()
    good = jwt.encode(_claims(person), key, algorithm="HS256")
    assert (await client.get("/me", headers={"Authorization": f"Bearer {good}"})).status_code == 200

    forged = {
        "alg none": jwt.encode(_claims(person), None, algorithm="none"),
        "other key": jwt.encode(
            _claims(person), "another key of 32 bytes or more!!", algorithm="HS256"
        ),
        # The constant that once signed every hub started without SECRET_KEY.
        "the old built-in key": jwt.encode(
            _claims(person), "dreamery-development-key-change-me-in-production", algorithm="HS256"
        ),
        "HS512": jwt.encode(_claims(person), key, algorithm="HS512"),
        "expired": jwt.encode(
            _claims(person, exp=datetime.now(UTC) - timedelta(minutes=1)), key, algorithm="HS256"
        ),
        "not yet valid": jwt.encode(
            _claims(person, nbf=datetime.now(UTC) + timedelta(minutes=5)), key, algorithm="HS256"
        ),
        "wrong audience": jwt.encode(_claims(person, aud="someone-else"), key, algorithm="HS256"),
        "wrong issuer": jwt.encode(_claims(person, iss="someone-else"), key, algorithm="HS256"),
        "refresh type": jwt.encode(_claims(person, typ="refresh"), key, algorithm="HS256"),
        "no expiry": jwt.encode(
            {k: v for k, v in _claims(person).items() if k != "exp"}, key, algorithm="HS256"
        ),
        "sub not a uuid": jwt.encode(_claims(person, sub="admin"), key, algorithm="HS256"),
        "no session": jwt.encode(
            {k: v for k, v in _claims(person).items() if k != "sid"}, key, algorithm="HS256"
        ),
        "a session never opened": jwt.encode(
            _claims(person, sid=str(uuid.uuid4())), key, algorithm="HS256"
        ),
        "another user's session": jwt.encode(
            _claims(person, sub=str(uuid.uuid4())), key, algorithm="HS256"
        ),
        "refresh token": person.refresh_token,
        "garbage": "not.a.token",
    }
    for name, token in forged.items():
        answer = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, name
        assert answer.json()["code"] == "unauthenticated", name
    missing = await client.get("/me")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")


async def test_a_deactivated_user_is_signed_out(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    person = await sign_up()
    await api_db.update_user(person.id, {"is_active": False})
    assert (await client.get("/me", headers=person.headers)).status_code == 401
    assert (await client.get("/api/v1/tasks", headers=person.headers)).status_code == 401
    refreshed = await client.post("/auth/refresh", json={"refresh_token": person.refresh_token})
    assert refreshed.status_code == 401
    login = await client.post("/auth/login", data={"username": person.email, "password": PASSWORD})
    assert login.status_code == 401


async def test_a_stored_hash_below_todays_cost_is_upgraded_at_sign_in(
    client: httpx.AsyncClient,
    sign_up: SignUp,
    api_db: DatabaseService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = await sign_up()
    stronger = passwords.hasher(19_456, 3)
    monkeypatch.setattr(passwords, "_configured", lambda: stronger)
    login = await client.post("/auth/login", data={"username": person.email, "password": PASSWORD})
    assert login.status_code == 200
    async with api_db.engine.connect() as connection:
        stored = await connection.scalar(select(User.password_hash).where(User.id == person.id))
    assert stored is not None and stored.startswith("$argon2id$") and ",t=3," in stored
    monkeypatch.undo()
    again = await client.post("/auth/login", data={"username": person.email, "password": PASSWORD})
    assert again.status_code == 200


async def test_the_default_cost_meets_owasps_minimum() -> None:
    hashed = await passwords.hash_password("whatever it is 123")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    with pytest.raises(ValueError, match="19456"):
        Settings(password_memory_kib=4096)


async def test_guessing_one_account_backs_off_without_locking_the_owner_out_for_long(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    victim = await sign_up()
    attacker_app = create_app(api_db, settings())
    async with client_for(attacker_app) as attacker:
        answers = [
            (
                await attacker.post(
                    "/auth/login", data={"username": victim.email, "password": f"guess-{n}"}
                )
            ).status_code
            for n in range(6)
        ]
        assert answers == [401] * 5 + [429]
        limited = await attacker.post(
            "/auth/login", data={"username": victim.email, "password": PASSWORD}
        )
        assert limited.status_code == 429, "the right password waits too, so guessing gains nothing"
        retry_after = int(limited.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert limited.json()["retry_after"] == retry_after
        other = await sign_up()
        fine = await attacker.post(
            "/auth/login", data={"username": other.email, "password": PASSWORD}
        )
        assert fine.status_code == 200, "other accounts are not affected"

    # From another address the owner still signs in: the account-wide limit is 10 a minute.
    async with client_for(attacker_app, ip="198.51.100.9") as owner:
        ok = await owner.post("/auth/login", data={"username": victim.email, "password": PASSWORD})
        assert ok.status_code == 200


async def test_sign_in_attempts_are_limited_per_address(api_db: DatabaseService) -> None:
    app = create_app(api_db, settings(login_limit_per_ip="3/minute"))
    async with client_for(app) as http:
        codes = [
            (
                await http.post(
                    "/auth/login", data={"username": f"n{n}@example.com", "password": "x"}
                )
            ).status_code
            for n in range(4)
        ]
    assert codes == [401, 401, 401, 429]


async def test_administrators_can_close_self_registration(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    admin = await sign_up(admin=True)
    professional = await sign_up()
    refused = await client.patch(
        "/api/v1/settings", json={"self_registration": False}, headers=professional.headers
    )
    assert refused.status_code == 403
    closed = await client.patch(
        "/api/v1/settings", json={"self_registration": False}, headers=admin.headers
    )
    assert closed.status_code == 200 and closed.json() == {"self_registration": False}
    try:
        email = f"late-{uuid.uuid4().hex[:8]}@example.com"
        late = await client.post("/auth/register", json=_registration(email))
        assert late.status_code == 403
        assert "self-registration is turned off" in late.json()["detail"]
    finally:
        reopened = await client.patch(
            "/api/v1/settings", json={"self_registration": True}, headers=admin.headers
        )
        assert reopened.json() == {"self_registration": True}
    audit = await client.get(
        "/api/v1/audit-logs", params={"resource": "settings"}, headers=admin.headers
    )
    changes = [row["changes"] for row in audit.json()["items"]]
    assert {"self_registration": [True, False]} in changes
