"""Compliance over HTTP: nobody certifies themselves; reviewers verify or fail others'."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.hub import Person, SignUp

pytestmark = pytest.mark.usefixtures("backend")


async def new_record(client: httpx.AsyncClient, owner: Person, **extra: Any) -> httpx.Response:
    requirements = await client.get(
        "/api/v1/compliance-requirements",
        params={"role_id": owner.role_id},
        headers=owner.headers,
    )
    requirement = requirements.json()["items"][0]
    return await client.post(
        "/api/v1/compliance-records",
        json={"requirement_id": requirement["id"], "user_id": str(owner.id), **extra},
        headers=owner.headers,
    )


async def test_a_professional_cannot_verify_their_own_record(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    agent = await sign_up("real-estate-agent")
    made = await new_record(client, agent)
    assert made.status_code == 201, made.text
    record = made.json()
    url = f"/api/v1/compliance-records/{record['id']}"
    patched = await client.patch(url, json={"status": "verified"}, headers=agent.headers)
    assert patched.status_code == 422
    assert "verify_compliance_record" in patched.json()["errors"][0]["message"]
    evidence = {
        "file_name": "license.pdf",
        "location": "file:evidence/license.pdf",
        "content_type": "application/pdf",
        "size": 10,
        "uploaded_by": str(agent.id),
    }
    planted = await new_record(
        client, agent, status="verified", verified_by=str(agent.id), evidence=[evidence]
    )
    assert planted.status_code == 422, planted.text
    assert {e["field"] for e in planted.json()["errors"]} == {
        "status",
        "verified_by",
        "evidence.0.uploaded_by",
    }
    verify = await client.post(f"{url}/verify", json={}, headers=agent.headers)
    assert verify.status_code == 403
    assert (await client.get(url, headers=agent.headers)).json()["status"] == "pending"


async def join_firm(client: httpx.AsyncClient, owner: Person, *members: Person) -> str:
    """`owner` opens an organization over HTTP and the members accept its invitations; the
    organization's id."""
    made = await client.post(
        "/api/v1/organizations",
        json={"name": "Harbor Realty", "kind": "brokerage"},
        headers=owner.headers,
    )
    assert made.status_code == 201, made.text
    for member in members:
        invited = await client.post(
            "/api/v1/invitations", json={"email": member.email}, headers=owner.headers
        )
        assert invited.status_code == 201, invited.text
        accepted = await client.post(
            "/api/v1/invitations/accept",
            json={"token": invited.json()["token"]},
            headers=member.headers,
        )
        assert accepted.status_code == 200, accepted.text
    return str(made.json()["id"])


async def test_a_reviewer_signed_up_as_such_reviews_nothing(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    """Else a second account, signed up as a broker, would verify the first one's record: a
    role chosen at sign-up is claimed, and grants nothing until it is verified."""
    agent = await sign_up("real-estate-agent")
    puppet = await sign_up("real-estate-broker")
    await join_firm(client, puppet, agent)
    record = (await new_record(client, agent)).json()
    url = f"/api/v1/compliance-records/{record['id']}"
    # The owner of an organization sees its members' records; approving them takes a
    # verified role, or a verified organization.
    refused = await client.post(f"{url}/verify", json={}, headers=puppet.headers)
    assert refused.status_code == 403, refused.text
    assert (await client.get(url, headers=agent.headers)).json()["status"] == "pending"
    me = await client.get("/me", headers=puppet.headers)
    assert me.json()["role_verified_at"] is None
    # And outside their organization, a claimed broker sees no one's record.
    stranger = await sign_up("real-estate-agent")
    theirs = (await new_record(client, stranger)).json()
    other_url = f"/api/v1/compliance-records/{theirs['id']}"
    assert (await client.get(other_url, headers=puppet.headers)).status_code == 404


async def test_a_broker_verifies_another_agents_record_but_not_their_own(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    agent = await sign_up("real-estate-agent")
    broker = await sign_up("real-estate-broker", given=True)
    await join_firm(client, broker, agent)
    record = (await new_record(client, agent)).json()
    url = f"/api/v1/compliance-records/{record['id']}"
    verified = await client.post(
        f"{url}/verify", json={"note": "Checked with the state."}, headers=broker.headers
    )
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert (body["status"], body["verified_by"], body["review_note"]) == (
        "verified",
        str(broker.id),
        "Checked with the state.",
    )
    frozen = await client.patch(
        url, json={"notes": "edited later"}, headers=agent.headers | {"If-Match": "*"}
    )
    assert frozen.status_code == 409

    # Another brokerage's agent is none of this broker's business: not found.
    elsewhere = await sign_up("real-estate-agent")
    theirs = (await new_record(client, elsewhere)).json()
    other_url = f"/api/v1/compliance-records/{theirs['id']}"
    assert (await client.get(other_url, headers=broker.headers)).status_code == 404
    assert (
        await client.post(f"{other_url}/verify", json={}, headers=broker.headers)
    ).status_code == 404

    own = (await new_record(client, broker)).json()
    refused = await client.post(
        f"/api/v1/compliance-records/{own['id']}/verify", json={}, headers=broker.headers
    )
    assert refused.status_code == 403
    assert "your own" in refused.json()["detail"]
    fail = await client.post(
        f"/api/v1/compliance-records/{own['id']}/fail", json={}, headers=agent.headers
    )
    assert fail.status_code == 422  # the note is required, and named
    assert fail.json()["errors"][0]["field"] == "note"
