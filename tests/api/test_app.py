"""The app itself: health, readiness, problem+json errors and the OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from dreamery import DatabaseService
from dreamery.api.app import create_app
from tests.hub import client_for, settings

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with DatabaseService(database_url) as db:
        app = create_app(db)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield http


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_errors_are_problem_details(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/roles/no-such-role", headers={"X-Request-ID": "abc-1"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    body = missing.json()
    assert (body["status"], body["code"], body["request_id"]) == (404, "not_found", "abc-1")
    assert missing.headers["X-Request-ID"] == "abc-1"

    too_long = await client.get("/api/v1/roles", params={"category_id": "x" * 101})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "category_id"

    unknown = await client.get("/api/v1/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"


async def test_the_openapi_document_lists_the_routes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert {"/health", "/ready", "/api/v1/categories", "/api/v1/roles/{role_id}"} <= set(
        document["paths"]
    )


async def test_apps_share_their_routes_but_nothing_of_their_own(api_db: DatabaseService) -> None:
    """Every app lists the same route objects (prepared once per process) and shares the
    OpenAPI document made from them; limits, settings and the document each app hands out
    stay its own (counted in each app's memory here: through Redis, workers share them)."""
    tight = create_app(api_db, settings(rate_limit_per_ip="2/minute", redis_url=""))
    roomy = create_app(api_db, settings(redis_url=""))
    shared = [route for route in tight.router.routes if route in roomy.router.routes]
    assert len(shared) >= 13  # health, sign-in and every domain's router
    async with client_for(tight) as one, client_for(roomy) as two:
        firsts = [(await one.get("/api/v1/categories")).status_code for _ in range(3)]
        others = [(await two.get("/api/v1/categories")).status_code for _ in range(3)]
        assert firsts == [200, 200, 429] and others == [200, 200, 200]
        assert (await two.get("/openapi.json")).json() == tight.openapi()
    tight.openapi()["info"]["title"] = "changed in one app"
    assert roomy.openapi()["info"]["title"] == "Dreamery Hub"
    assert create_app(api_db, settings()).openapi()["info"]["title"] == "Dreamery Hub"
