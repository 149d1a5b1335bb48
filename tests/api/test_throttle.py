"""Throttles that slow the guesser, not the owner (OWASP's authentication guidance).

Each test signs in from addresses of its own (the limiter counts per address), through apps
of its own (each has its own in-process counters, unless they share Redis).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid

import httpx
import pytest

from dreamery import DatabaseService
from dreamery.api.app import create_app
from tests.cli.runner import assert_one_line_error, dreamery
from tests.hub import PASSWORD, SignUp, client_for, settings

pytestmark = pytest.mark.usefixtures("backend")
# Counters in Redis outlive a test run and are shared by the workers of one: each process
# starts somewhere of its own in 198.18.0.0/15.
_addresses = itertools.count(uuid.uuid4().int % 60_000)


def address() -> str:
    """An address no other test signs in from."""
    n = next(_addresses)
    return f"198.18.{n // 250}.{n % 250 + 1}"


async def _login(http: httpx.AsyncClient, email: str, password: str) -> int:
    answer = await http.post("/auth/login", data={"username": email, "password": password})
    return answer.status_code


def _full_width(text: str, letters: int) -> str:
    """`text` with its first `letters` ASCII letters and digits in their full-width forms
    (U+FF01...), which NFKC folds back: another spelling of the same address."""
    spelt, left = [], letters
    for char in text:
        if left and char.isascii() and char.isalnum():
            spelt.append(chr(ord(char) + 0xFEE0))
            left -= 1
        else:
            spelt.append(char)
    return "".join(spelt)


async def test_every_spelling_of_an_address_shares_one_budget(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    person = await sign_up()
    app = create_app(api_db, settings())
    spellings = [_full_width(person.email, n) for n in range(1, 6)]
    async with client_for(app, ip=address()) as guesser:
        codes = [await _login(guesser, email, f"guess {n}") for n, email in enumerate(spellings)]
        codes.append(await _login(guesser, person.email.upper(), PASSWORD))
    assert codes == [401] * 5 + [429]
    # Elsewhere the owner signs in, whichever way the address is written: the same account.
    async with client_for(app, ip=address()) as own:
        assert await _login(own, _full_width(person.email, 8), PASSWORD) == 200


async def test_guesses_sent_at_once_are_checked_no_more_than_the_budget_allows(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    person = await sign_up()
    app = create_app(api_db, settings())
    async with client_for(app, ip=address()) as guesser:
        codes = await asyncio.gather(
            *(_login(guesser, person.email, f"guess {n} at once") for n in range(40))
        )
    # Five failures a minute from one address, however many arrive together.
    assert sorted(codes) == [401] * 5 + [429] * 35
    async with client_for(app, ip=address()) as own:
        assert await _login(own, person.email, PASSWORD) == 200


async def test_an_attacker_on_the_admins_email_never_stops_the_admin(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    admin = await sign_up(admin=True)
    app = create_app(api_db, settings())
    # Five addresses, two wrong guesses each: the account is under attack (10 failures).
    attackers = [client_for(app, ip=address()) for _ in range(5)]
    for attacker in attackers:
        for guess in range(2):
            assert await _login(attacker, admin.email, f"guess {guess} of many") == 401
    # An address that has failed for the account now gets one attempt a minute, whatever
    # the password: guessing from it gains nothing.
    first = attackers[0]
    assert await _login(first, admin.email, "one more guess") == 401
    assert await _login(first, admin.email, PASSWORD) == 429
    # The administrator, from an address that has not failed, signs in every time.
    async with client_for(app, ip=address()) as own:
        for _ in range(3):
            assert await _login(own, admin.email, PASSWORD) == 200
    for attacker in attackers:
        await attacker.aclose()


async def test_an_office_signing_in_all_day_is_not_refused(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    colleagues = [await sign_up() for _ in range(10)]
    app = create_app(api_db, settings())
    async with client_for(app, ip=address()) as office:
        codes = [
            await _login(office, person.email, PASSWORD)
            for _round in range(10)
            for person in colleagues
        ]
    assert codes == [200] * 100


async def test_failures_from_one_address_are_limited_whatever_the_accounts(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    app = create_app(api_db, settings(login_failures_per_ip="6/10 minutes"))
    async with client_for(app, ip=address()) as sprayer:
        for n in range(6):  # one guess each at six accounts: no account is under attack
            assert (
                await _login(sprayer, f"someone{n}-{uuid.uuid4().hex[:6]}@example.com", "x") == 401
            )
        person = await sign_up()
        assert await _login(sprayer, person.email, PASSWORD) == 429
    async with client_for(app, ip=address()) as elsewhere:
        assert await _login(elsewhere, person.email, PASSWORD) == 200


async def test_guessing_the_current_password_is_throttled_like_signing_in(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    person = await sign_up()
    app = create_app(api_db, settings())
    async with client_for(app, ip=address()) as http:
        codes = []
        for n in range(6):
            answer = await http.post(
                "/auth/password",
                json={"current_password": f"guess {n} here", "new_password": "fresh lantern 9"},
                headers=person.headers,
            )
            codes.append(answer.status_code)
        assert codes == [422] * 5 + [429]
        right = await http.post(
            "/auth/password",
            json={"current_password": PASSWORD, "new_password": "fresh lantern harbour 9"},
            headers=person.headers,
        )
        assert right.status_code == 429, "the right password waits too"
        assert int(right.headers["retry-after"]) >= 1


async def test_sign_ups_are_limited_per_address(api_db: DatabaseService) -> None:
    app = create_app(api_db, settings(register_limit_per_ip="3/hour"))

    def body(n: int) -> dict[str, object]:
        return {
            "email": f"signup{n}-{uuid.uuid4().hex[:6]}@example.com",
            "password": PASSWORD,
            "first_name": "Sam",
            "last_name": "Signup",
            "role_id": "real-estate-agent",
        }

    async with client_for(app, ip=address()) as http:
        codes = [(await http.post("/auth/register", json=body(n))).status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]


async def test_limits_hold_across_workers_sharing_redis(
    api_db: DatabaseService, sign_up: SignUp, redis_url: str
) -> None:
    """Two workers are two apps with counters of their own, unless Redis holds them."""
    person = await sign_up()
    ip = address()
    workers = [create_app(api_db, settings(redis_url=redis_url)) for _ in range(2)]
    async with client_for(workers[0], ip=ip) as one, client_for(workers[1], ip=ip) as two:
        codes = [await _login(http, person.email, "wrong guess 1") for http in (one, two) * 3]
    assert codes == [401] * 5 + [429]


async def test_guesses_at_once_across_workers_sharing_redis_stay_within_the_budget(
    api_db: DatabaseService, sign_up: SignUp, redis_url: str
) -> None:
    person = await sign_up()
    ip = address()
    workers = [create_app(api_db, settings(redis_url=redis_url)) for _ in range(2)]
    async with client_for(workers[0], ip=ip) as one, client_for(workers[1], ip=ip) as two:
        codes = await asyncio.gather(
            *(_login(http, person.email, f"guess {n}") for n, http in enumerate((one, two) * 20))
        )
    # Never more than the budget's five are checked. Through Redis an attempt takes its place
    # in each budget in turn, and one refused by a later budget gives back the places it took
    # in the earlier ones: meanwhile others may see them taken and be refused too. So a burst
    # may get fewer than five checked, never more.
    checked = codes.count(401)
    assert 1 <= checked <= 5 and codes.count(429) == 40 - checked, sorted(codes)


def test_serving_several_workers_needs_redis(cli_env: dict[str, str]) -> None:
    env = {k: v for k, v in cli_env.items() if k != "REDIS_URL"} | {"REDIS_URL": ""}
    result = dreamery("serve", "--workers", "2", env=env, url=None)
    assert_one_line_error(result, "--workers 2 needs REDIS_URL")


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    api_db: DatabaseService,
) -> None:
    proxy = address()
    trusted = create_app(api_db, settings(login_limit_per_ip="2/minute", forwarded_allow_ips=proxy))

    async def attempts(app: object, peer: str, forwarded: list[str]) -> list[int]:
        async with client_for(app, ip=peer) as http:
            return [
                (
                    await http.post(
                        "/auth/login",
                        data={"username": "nobody@example.com", "password": "x"},
                        headers={"X-Forwarded-For": client},
                    )
                ).status_code
                for client in forwarded
            ]

    # Through the trusted proxy, each client behind it has limits of its own.
    first, second = address(), address()
    assert await attempts(trusted, proxy, [first, first, first, second]) == [401, 401, 429, 401]
    # From anyone else the header is ignored: a client cannot pick the address it counts as.
    stranger = address()
    forged = [address(), address(), address()]
    assert await attempts(trusted, stranger, forged) == [401, 401, 429]
