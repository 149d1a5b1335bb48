"""The hub's API in-process (httpx over ASGI) on a database of its own, per backend: the
fixtures every route test uses (`client`, `sign_up`), loaded by the root conftest."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from dreamery import DatabaseService
from dreamery.api.app import create_app
from dreamery.core.config import Settings
from tests.conftest import DatabaseFactory, seeded_database

PASSWORD = "a long test password 1"
_people = itertools.count(1)
# Limits far above what the tests send, except where a test asks for tight ones.
ROOMY = {"rate_limit_per_ip": "100000/minute", "rate_limit_per_user": "100000/minute"}


def settings(**overrides: Any) -> Settings:
    return Settings(**(ROOMY | overrides))


@pytest.fixture(scope="session")
async def api_url(databases: DatabaseFactory) -> str:
    """A database of the API tests' own: they commit, and count what they made."""
    return await seeded_database(databases)


@pytest.fixture(scope="session")
async def api_db(api_url: str) -> AsyncIterator[DatabaseService]:
    async with DatabaseService(api_url) as db:
        yield db


def client_for(app: Any, ip: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://hub")


@pytest.fixture
async def client(api_db: DatabaseService) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(api_db, settings())) as http:
        yield http


@dataclass
class Person:
    id: uuid.UUID
    email: str
    role_id: str
    headers: dict[str, str]
    refresh_token: str


SignUp = Callable[..., Awaitable[Person]]


def task_body(person: Person, **fields: Any) -> dict[str, Any]:
    """A valid new task for `person`: the sample input of the HTTP tests."""
    return {
        "title": "Call the seller",
        "role_id": person.role_id,
        "user_id": str(person.id),
        "due_date": "2027-01-15T09:00:00Z",
        "tags": ["calls"],
    } | fields


@pytest.fixture
def sign_up(client: httpx.AsyncClient, api_db: DatabaseService) -> SignUp:
    """A new professional, signed in through the API: signed up by themselves, or given
    their account by an administrator (`given=True`: reviewers' roles, which nobody takes at
    sign-up), or an administrator (`admin=True`)."""

    async def make(
        role_id: str = "real-estate-agent", *, admin: bool = False, given: bool = False
    ) -> Person:
        email = f"pro{next(_people)}-{uuid.uuid4().hex[:6]}@example.com"
        if admin or given:
            user = await api_db.create_user(
                {
                    "email": email,
                    "first_name": "Ada" if admin else "Pat",
                    "last_name": "Admin" if admin else "Pro",
                    "role_id": role_id,
                    "is_admin": admin,
                }
            )
            await api_db.set_user_password(user.id, PASSWORD)
        else:
            created = await client.post(
                "/auth/register",
                json={
                    "email": email,
                    "password": PASSWORD,
                    "first_name": "Pat",
                    "last_name": "Pro",
                    "role_id": role_id,
                },
            )
            assert created.status_code == 201, created.text
        tokens = await client.post("/auth/login", data={"username": email, "password": PASSWORD})
        assert tokens.status_code == 200, tokens.text
        body = tokens.json()
        me = await client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        return Person(
            id=uuid.UUID(me.json()["id"]),
            email=email,
            role_id=role_id,
            headers={"Authorization": f"Bearer {body['access_token']}"},
            refresh_token=body["refresh_token"],
        )

    return make
