"""The studio in-process (httpx over ASGI) on a database of its own, per backend."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from dreamery import DatabaseService
from dreamery.api.app import create_app
from dreamery.core.config import Settings
from tests.conftest import DatabaseFactory, seeded_database

PASSWORD = "a long test password 1"
ORIGIN = "http://hub"
# Limits far above what the tests send: every test signs in from the same address.
ROOMY = {
    "rate_limit_per_ip": "100000/minute",
    "rate_limit_per_user": "100000/minute",
    "login_limit_per_ip": "100000/minute",
}
_people = itertools.count(1)


@pytest.fixture(scope="session")
async def studio_url(databases: DatabaseFactory) -> str:
    """A database of the studio tests' own: they commit, and count what they made."""
    return await seeded_database(databases)


@pytest.fixture(scope="session")
async def studio_db(studio_url: str) -> AsyncIterator[DatabaseService]:
    async with DatabaseService(studio_url) as db:
        yield db


async def make_user(
    db: DatabaseService,
    *,
    admin: bool = False,
    password: str | None = PASSWORD,
    role_id: str = "real-estate-agent",
    **fields: Any,
) -> Any:
    """A user made by the system actor, with a password when given."""
    n = next(_people)
    data = {
        "email": f"studio{n}-{uuid.uuid4().hex[:6]}@example.com",
        "first_name": "Pat",
        "last_name": f"Tester{n}",
        "role_id": role_id,
        "is_admin": admin,
    } | fields
    user = await db.create_user(data)
    if password is not None:
        await db.set_user_password(user.id, password)
    return user


@pytest.fixture(scope="session")
def studio_app(studio_db: DatabaseService) -> FastAPI:
    """The hub's app with the studio mounted, shared by the tests (it takes a second to build);
    each test browses it with a client of its own, that is, cookies of its own."""
    return create_app(studio_db, Settings(**ROOMY))


def client_for(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.20", 50000))
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN)


def studio_client(db: DatabaseService) -> httpx.AsyncClient:
    """A client of an app of its own, for a database of its own."""
    return client_for(create_app(db, Settings(**ROOMY)))


def form_token(html: str) -> str:
    """The CSRF token starlette-admin puts in a page's forms."""
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


def same_site() -> dict[str, str]:
    return {"Origin": ORIGIN}


def ajax(client: httpx.AsyncClient) -> dict[str, str]:
    """Headers of the studio's own AJAX calls: same origin, token from its cookie."""
    token = client.cookies.get("starlette_admin_csrftoken")
    assert token, "no form-token cookie yet: open a studio page first"
    return {"Origin": ORIGIN, "X-CSRFToken": token}


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    page = await client.get("/studio/login")
    assert page.status_code == 200, page.text
    return await client.post(
        "/studio/login",
        data={"username": email, "password": password, "csrftoken": form_token(page.text)},
        headers=same_site(),
    )


@pytest.fixture(scope="session")
async def admin(studio_db: DatabaseService) -> Any:
    """The administrator most tests sign in as (hashing a password takes a while)."""
    return await make_user(studio_db, admin=True, first_name="Ada", last_name="Admin")


@pytest.fixture
async def anonymous(studio_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser that has not signed in."""
    async with client_for(studio_app) as http:
        yield http


@pytest.fixture
async def client(studio_app: FastAPI, admin: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in to the studio as an administrator."""
    async with client_for(studio_app) as http:
        signed_in = await sign_in(http, admin.email)
        assert signed_in.status_code == 303, signed_in.text
        yield http
