"""A directory, not a dump: other professionals see a user's public card; the e-mail, phone,
last sign-in and flags are for the user themselves, the admins of an organization they belong
to and platform administrators, in a get, a list and a search alike."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.compliance.test_routes import join_firm
from tests.hub import Person, SignUp

pytestmark = pytest.mark.usefixtures("backend")

PRIVATE = {"email", "last_login_at", "is_active", "is_admin", "role_verified_at"}
CARD = {"first_name", "last_name", "role_id", "role_name", "company", "city", "specialties"}


async def as_seen_by(client: httpx.AsyncClient, viewer: Person, user: Person) -> list[Any]:
    """The user as `viewer` gets them: by id, in a filtered list, and found by name."""
    got = await client.get(f"/api/v1/users/{user.id}", headers=viewer.headers)
    assert got.status_code == 200, got.text
    listed = await client.get("/api/v1/users", params={"id": str(user.id)}, headers=viewer.headers)
    found = await client.get(
        "/api/v1/users",
        params={"q": "Directory Person", "limit": 100},
        headers=viewer.headers,
    )
    [in_list] = listed.json()["items"]
    [in_search] = [u for u in found.json()["items"] if u["id"] == str(user.id)]
    return [got.json(), in_list, in_search]


async def named(client: httpx.AsyncClient, sign_up: SignUp, person: Person) -> Person:
    """`person`, renamed so that a search finds them, with a profile filled in."""
    admin = await sign_up(admin=True)
    renamed = await client.patch(
        f"/api/v1/users/{person.id}",
        json={"first_name": "Directory", "last_name": "Person"},
        headers=admin.headers | {"If-Match": "*"},
    )
    assert renamed.status_code == 200, renamed.text
    profiles = await client.get(
        "/api/v1/profiles", params={"user_id": str(person.id)}, headers=person.headers
    )
    [profile] = profiles.json()["items"]
    filled = await client.patch(
        f"/api/v1/profiles/{profile['id']}",
        json={
            "company": "Harbor Realty",
            "phone": "+1 555 0100",
            "specialties": ["condos"],
            "bio": "Downtown condos.",
            "version": profile["version"],
        },
        headers=person.headers,
    )
    assert filled.status_code == 200, filled.text
    return person


async def test_another_professional_sees_the_card_only(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    user = await named(client, sign_up, await sign_up())
    other = await sign_up("home-inspector")
    for seen in await as_seen_by(client, other, user):
        assert not PRIVATE & set(seen), seen
        assert "phone" not in seen
        assert set(seen) >= CARD
        assert (seen["company"], seen["specialties"], seen["bio"]) == (
            "Harbor Realty",
            ["condos"],
            "Downtown condos.",
        )
        assert seen["role_name"] == "Real Estate Agent"


@pytest.mark.parametrize("who", ["self", "org_admin", "platform_admin"])
async def test_the_user_their_org_admin_and_administrators_see_the_full_record(
    client: httpx.AsyncClient, sign_up: SignUp, who: str
) -> None:
    user = await sign_up()
    if who == "self":
        viewer = user
    elif who == "org_admin":
        viewer = await sign_up("real-estate-broker", given=True)
        await join_firm(client, viewer, user)
    else:
        viewer = await sign_up(admin=True)
    await named(client, sign_up, user)
    for seen in await as_seen_by(client, viewer, user):
        assert set(seen) >= PRIVATE, seen
        assert seen["email"] == user.email


async def test_a_fellow_member_who_is_no_admin_sees_the_card(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner = await sign_up("real-estate-broker", given=True)
    user, colleague = await sign_up(), await sign_up()
    await join_firm(client, owner, user, colleague)
    got = await client.get(f"/api/v1/users/{user.id}", headers=colleague.headers)
    assert "email" not in got.json()


async def test_nobody_is_found_by_an_e_mail_they_may_not_see(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    user, other, admin = await sign_up(), await sign_up(), await sign_up(admin=True)
    local = user.email.split("@")[0]
    for params in ({"q": local}, {"q": user.email}, {"email": user.email}):
        hidden = await client.get("/api/v1/users", params=params, headers=other.headers)
        assert hidden.status_code == 200, hidden.text
        # (Their own address may come up as like the one searched for: it is theirs to see.)
        assert str(user.id) not in {u["id"] for u in hidden.json()["items"]}, params
        shown = await client.get("/api/v1/users", params=params, headers=admin.headers)
        assert [u["id"] for u in shown.json()["items"]] == [str(user.id)], params
        mine = await client.get("/api/v1/users", params=params, headers=user.headers)
        assert [u["id"] for u in mine.json()["items"]] == [str(user.id)], params
    flagged = await client.get("/api/v1/users", params={"is_admin": "true"}, headers=other.headers)
    assert flagged.json()["items"] == []


async def test_a_profile_shows_its_phone_only_to_those_who_see_the_full_record(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    user = await named(client, sign_up, await sign_up())
    other, admin = await sign_up(), await sign_up(admin=True)
    params = {"user_id": str(user.id)}
    [theirs] = (await client.get("/api/v1/profiles", params=params, headers=other.headers)).json()[
        "items"
    ]
    assert "phone" not in theirs and theirs["company"] == "Harbor Realty"
    one = await client.get(f"/api/v1/profiles/{theirs['id']}", headers=other.headers)
    assert "phone" not in one.json()
    for viewer in (user, admin):
        [full] = (
            await client.get("/api/v1/profiles", params=params, headers=viewer.headers)
        ).json()["items"]
        assert full["phone"] == "+1 555 0100"


async def test_the_openapi_document_shows_both_shapes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    schema = document["paths"]["/api/v1/users/{entity_id}"]["get"]["responses"]["200"]
    shapes = schema["content"]["application/json"]["schema"]["anyOf"]
    assert {s["$ref"] for s in shapes} == {
        "#/components/schemas/UserRead",
        "#/components/schemas/UserCard",
    }
    card = document["components"]["schemas"]["UserCard"]["properties"]
    assert not PRIVATE & set(card) and "phone" not in card
