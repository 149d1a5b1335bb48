"""Faults: Redis going away and coming back, PostgreSQL connections lost, a database that
never answers, statements that run too long, and more connections than the server has.

The hub keeps serving without Redis (limits and caches in the process), answers 503 with
`Retry-After` while the database is out of reach, retries an idempotent read once, and never
answers 500 or hangs.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dreamery import DatabaseService
from dreamery.api import health
from dreamery.api.app import create_app
from dreamery.core.config import get_settings
from dreamery.core.errors import DatabaseUnavailableError
from tests.cli.runner import assert_one_line_error, dreamery
from tests.faults import Proxy, black_hole
from tests.hub import PASSWORD, client_for, settings

pytestmark = pytest.mark.usefixtures("backend")
ROOMY = {"rate_limit_per_ip": "100000/minute", "login_limit_per_ip": "100000/minute"}


@pytest.fixture
def timeouts(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set database settings for the engines a test makes from now on."""

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_
    monkeypatch.undo()
    get_settings.cache_clear()


async def _admin(db: DatabaseService) -> tuple[str, str]:
    email = f"faults-{uuid.uuid4().hex[:8]}@example.com"
    user = await db.create_user(
        {
            "email": email,
            "first_name": "Fay",
            "last_name": "Ult",
            "role_id": "real-estate-agent",
            "is_admin": True,
        }
    )
    await db.set_user_password(user.id, PASSWORD)
    return email, str(user.id)


# --- Redis ------------------------------------------------------------------------------------


@pytest.fixture
async def redis_proxy(redis_url: str) -> AsyncIterator[tuple[Proxy, str]]:
    parts = urlsplit(redis_url)
    proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.restore()
    try:
        yield proxy, redis_url.replace(parts.netloc, proxy.url_host)
    finally:
        await proxy.cut()


async def test_the_hub_serves_through_a_redis_outage_and_recovers(
    api_url: str,
    redis_proxy: tuple[Proxy, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxy, proxied = redis_proxy
    async with DatabaseService(api_url, redis_url=proxied) as db:
        app = create_app(db, settings(redis_url=proxied, **ROOMY))
        app.state.limiter.breaker.cooldown = 0.2
        db.permission_cache.breaker.cooldown = 0.2
        email, user_id = await _admin(db)
        async with client_for(app) as http:

            async def round_trip() -> list[int]:
                login = await http.post(
                    "/auth/login", data={"username": email, "password": PASSWORD}
                )
                token = login.json().get("access_token")
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                return [
                    login.status_code,
                    (await http.get("/docs")).status_code,
                    (await http.get("/api/v1/categories")).status_code,
                    (await http.get("/api/v1/tasks", headers=headers)).status_code,
                    (
                        await http.post(
                            "/api/v1/tasks",
                            json=task_body_for(user_id),
                            headers=headers,
                        )
                    ).status_code,
                ]

            async def readiness() -> dict[str, Any]:
                await asyncio.sleep(1.05)  # past the second /ready keeps its answer for
                answer = await http.get("/ready")
                assert answer.status_code == 200, answer.text
                body: dict[str, Any] = answer.json()
                return body

            assert await round_trip() == [200, 200, 200, 200, 201]
            assert (await readiness())["status"] == "ready"

            caplog.clear()
            caplog.set_level(logging.WARNING)
            await proxy.cut()
            for _ in range(5):
                assert await round_trip() == [200, 200, 200, 200, 201]
            down = await readiness()
            assert down["status"] == "degraded"
            assert down["checks"]["redis"].startswith("unavailable")
            outage = [r for r in caplog.records if "unavailable" in r.getMessage()]
            # Once per component (limits, permission cache), not once per request.
            assert 1 <= len(outage) <= 2, [r.getMessage() for r in outage]
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

            await proxy.restore()
            await asyncio.sleep(0.3)  # past the cooldown: Redis is tried again
            assert await round_trip() == [200, 200, 200, 200, 201]
            assert (await readiness())["status"] == "ready"
            assert app.state.limiter.shared
            assert any("is back" in r.getMessage() for r in caplog.records)


def task_body_for(user_id: str) -> dict[str, Any]:
    return {"title": "Through the outage", "role_id": "real-estate-agent", "user_id": user_id}


# --- PostgreSQL -------------------------------------------------------------------------------


async def _terminate_connections(url: str) -> int:
    """End every other connection to the database, as a restart or a failover would."""
    parts = make_url(url)
    connection = await asyncpg.connect(
        user=parts.username, host=parts.host, port=parts.port, database=parts.database
    )
    try:
        ended = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    return len(ended)


@pytest.mark.postgresql_only
async def test_a_lost_connection_is_503_or_a_retried_read_never_500(
    fresh_seeded_url: str, backend: str
) -> None:
    async with DatabaseService(fresh_seeded_url, redis_url="") as db:
        email, user_id = await _admin(db)
        async with client_for(create_app(db, settings(**ROOMY))) as http:
            login = await http.post("/auth/login", data={"username": email, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            assert (await http.get("/api/v1/tasks", headers=headers)).status_code == 200

            assert await _terminate_connections(fresh_seeded_url) >= 1
            read = await http.get("/api/v1/tasks", headers=headers)
            assert read.status_code == 200, read.text  # tried again on a fresh connection
            assert "x-dreamery-retryable" not in read.headers

            assert await _terminate_connections(fresh_seeded_url) >= 1
            write = await http.post("/api/v1/tasks", json=task_body_for(user_id), headers=headers)
            assert write.status_code == 503, write.text
            assert write.headers["retry-after"] == "5"
            assert write.json()["code"] == "database_unavailable"
            assert "127.0.0.1" not in write.text and "postgres" not in write.text
            assert "x-dreamery-retryable" not in write.headers
            # The pool discarded its dead connections: the next write goes through.
            again = await http.post("/api/v1/tasks", json=task_body_for(user_id), headers=headers)
            assert again.status_code == 201, again.text

        # The facade says the same, in its own error tree.
        await db.find_categories()
        assert await _terminate_connections(fresh_seeded_url) >= 1
        with pytest.raises(DatabaseUnavailableError):
            await db.find_categories()
        assert await db.find_categories()


@pytest.mark.postgresql_only
async def test_a_statement_past_its_timeout_is_503(
    database_url: str, backend: str, timeouts: Any
) -> None:
    timeouts(DB_STATEMENT_TIMEOUT="0.5")
    async with DatabaseService(database_url, redis_url="") as db:
        with pytest.raises(DatabaseUnavailableError, match="QueryCanceledError"):
            async with db.unit(write=False) as unit:
                await unit.session.execute(text("SELECT pg_sleep(5)"))
        async with db.unit(write=False) as unit:
            assert await unit.session.scalar(text("SELECT 1")) == 1


async def test_a_database_that_never_answers_is_given_up_on(
    timeouts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeouts(DB_CONNECT_TIMEOUT="1")
    checks: list[object] = []
    check = health._check

    async def counted(request: Any) -> Any:
        checks.append(request)
        return await check(request)

    monkeypatch.setattr(health, "_check", counted)
    async with black_hole() as hole:
        url = f"postgresql://secret-user@127.0.0.1:{hole.port}/secret_db"
        async with DatabaseService(url, redis_url="") as db:
            app = create_app(db, settings())
            async with client_for(app) as http:
                # A hang is the failure here: the bound is only there to end the test.
                ready = await asyncio.wait_for(http.get("/ready"), timeout=30)
                assert ready.status_code == 503
                assert ready.json() == {
                    "status": "unavailable",
                    "checks": {"database": "unavailable"},
                }
                for secret in ("secret-user", "secret_db", str(hole.port), "127.0.0.1"):
                    assert secret not in ready.text
                again = await http.get("/ready")  # within the second: the same answer
                assert again.status_code == 503 and len(checks) == 1
                assert hole.connections >= 1
                read = await asyncio.wait_for(http.get("/api/v1/categories"), timeout=30)
                assert read.status_code == 503, read.text
                assert read.headers["retry-after"]
            with pytest.raises(DatabaseUnavailableError):
                await asyncio.wait_for(db.find_categories(), timeout=30)


@pytest.mark.postgresql_only
def test_serve_refuses_more_connections_than_the_server_has(
    database_url: str, backend: str, cli_env: dict[str, str], redis_url: str
) -> None:
    env = cli_env | {"REDIS_URL": redis_url, "DB_POOL_SIZE": "40", "DB_MAX_OVERFLOW": "10"}
    result = dreamery("serve", "--workers", "4", env=env, url=database_url)
    assert_one_line_error(result, "--workers 4 may open 200 connections", "max_connections")
