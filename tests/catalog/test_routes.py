"""The catalogue over HTTP: public to read, administered to change."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from dreamery import DatabaseService
from dreamery.api.app import create_app
from tests.catalog.test_catalog import EXPECTED
from tests.hub import SignUp

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
async def anyone(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client that has not signed in, on the seeded catalogue nobody changes."""
    async with DatabaseService(database_url) as db:
        app = create_app(db)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield http


async def test_the_catalogue_is_public(anyone: httpx.AsyncClient) -> None:
    categories = (await anyone.get("/api/v1/categories")).json()
    assert [c["id"] for c in categories] == list(EXPECTED)
    roles = (await anyone.get("/api/v1/roles")).json()
    assert len(roles) == 89
    legal = (await anyone.get("/api/v1/roles", params={"category_id": "legal-services"})).json()
    assert [r["id"] for r in legal] == EXPECTED["legal-services"]
    role = (await anyone.get("/api/v1/roles/acquisition-specialist")).json()
    assert role["category_id"] == "acquisition-disposition"


async def test_only_administrators_change_the_catalogue(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me, admin = await sign_up(), await sign_up(admin=True)
    category = {"id": f"test-cat-{uuid.uuid4().hex[:6]}", "name": "Test Category"}
    assert (
        await client.post("/api/v1/categories", json=category, headers=me.headers)
    ).status_code == 403
    made = await client.post("/api/v1/categories", json=category, headers=admin.headers)
    assert made.status_code == 201, made.text
    public = await client.get(f"/api/v1/categories/{category['id']}")
    assert public.status_code == 200
    assert (await client.post("/api/v1/categories", json=category)).status_code == 401
