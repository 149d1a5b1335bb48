"""A new account starts with a profile and a welcome that says what to do first, whichever
way it was made: signing up, or given by an administrator over the API or the facade."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dreamery import DatabaseService
from tests.hub import Person, SignUp

pytestmark = pytest.mark.usefixtures("backend")


async def names(client: httpx.AsyncClient, person: Person, path: str) -> list[str]:
    found = await client.get(
        path, params={"role_id": person.role_id, "limit": 100}, headers=person.headers
    )
    assert found.status_code == 200, found.text
    return sorted(item["name"] for item in found.json()["items"])


async def assert_welcomed(client: httpx.AsyncClient, person: Person) -> dict[str, Any]:
    """The person's one welcome names their role's requirements and workflows."""
    inbox = await client.get(
        "/api/v1/notifications", params={"category": "welcome"}, headers=person.headers
    )
    assert inbox.status_code == 200, inbox.text
    [welcome] = inbox.json()["items"]
    assert welcome["title"].startswith("Welcome to Dreamery Hub")
    assert "Complete your profile" in welcome["message"]
    requirements = await names(client, person, "/api/v1/compliance-requirements")
    workflows = await names(client, person, "/api/v1/workflows")
    assert requirements and workflows
    for name in [*requirements, *workflows][:5]:
        assert name in welcome["message"], (name, welcome["message"])
    assert welcome["data"] == {
        "role_id": person.role_id,
        "requirements": requirements,
        "workflows": workflows,
    }
    profiles = await client.get(
        "/api/v1/profiles", params={"user_id": str(person.id)}, headers=person.headers
    )
    assert len(profiles.json()["items"]) == 1
    return dict(welcome)


async def test_signing_up_starts_with_a_profile_and_a_welcome(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up("real-estate-agent")
    welcome = await assert_welcomed(client, me)
    assert "Real Estate Agent" in welcome["message"]


async def test_a_role_without_starter_content_is_told_so(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up("mortgage-broker")
    inbox = await client.get(
        "/api/v1/notifications", params={"category": "welcome"}, headers=me.headers
    )
    [welcome] = inbox.json()["items"]
    assert "compliance requirements of a Mortgage Broker: none are set yet" in welcome["message"]
    assert welcome["data"]["requirements"] == []


async def test_an_account_given_by_an_administrator_is_welcomed_too(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    admin = await sign_up(admin=True)
    made = await client.post(
        "/api/v1/users",
        json={
            "email": "given.account@example.com",
            "first_name": "Gia",
            "last_name": "Given",
            "role_id": "home-inspector",
            "profile": {"company": "Sound Homes"},
        },
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    user_id = made.json()["id"]
    inbox = await api_db.find_notifications(user_id=user_id, category="welcome")
    assert [n.title for n in inbox.items] == ["Welcome to Dreamery Hub, Gia"]
    profiles = await api_db.find_profiles(user_id=user_id)
    assert [p.company for p in profiles.items] == ["Sound Homes"]
    # The same through the facade (the studio's and the command line's way in).
    person = await sign_up("home-inspector", given=True)
    await assert_welcomed(client, person)


async def test_the_profile_is_made_with_the_user_not_created_apart(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up()
    second = await client.post("/api/v1/profiles", json={"company": "Twice"}, headers=me.headers)
    assert second.status_code == 405
