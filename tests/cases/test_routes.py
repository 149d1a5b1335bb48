"""Cases over HTTP: the participants of a deal, from any organization, see what the deal
holds and nothing of the deals they are not on."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.hub import Person, SignUp

pytestmark = pytest.mark.usefixtures("backend")


async def open_case(client: httpx.AsyncClient, agent: Person, title: str) -> dict[str, Any]:
    made = await client.post(
        "/api/v1/cases",
        json={
            "title": title,
            "kind": "purchase",
            "case_role": "buyers_agent",
            "city": "Portland",
            "country": "us",
            "mls_number": "MLS-42",
        },
        headers=agent.headers,
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def file_document(
    client: httpx.AsyncClient, agent: Person, case_id: str | None
) -> dict[str, Any]:
    templates = await client.get(
        "/api/v1/document-templates", params={"role_id": agent.role_id}, headers=agent.headers
    )
    template = templates.json()["items"][0]
    made = await client.post(
        "/api/v1/document-instances",
        json={
            "template_id": template["id"],
            "user_id": str(agent.id),
            "role_id": agent.role_id,
            "data": {"buyerName": "Dana Reyes"},
            "case_id": case_id,
        },
        headers=agent.headers,
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def test_a_lender_reads_the_documents_of_their_case_and_no_other(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    agent = await sign_up("acquisition-specialist")
    lender = await sign_up("mortgage-lender", given=True)  # document_instance:read:case
    other_lender = await sign_up("mortgage-lender", given=True)
    ours, theirs = await open_case(client, agent, "12 Elm"), await open_case(client, agent, "9 Oak")
    assert ours["country"] == "US" and ours["status"] == "open"
    added = await client.post(
        "/api/v1/case-participants",
        json={"case_id": ours["id"], "user_id": str(lender.id), "case_role": "lender"},
        headers=agent.headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["organization_id"] == ours["organization_id"]
    on_ours = await file_document(client, agent, ours["id"])
    on_theirs = await file_document(client, agent, theirs["id"])
    off_case = await file_document(client, agent, None)

    def url(doc: dict[str, Any]) -> str:
        return f"/api/v1/document-instances/{doc['id']}"

    assert (await client.get(url(on_ours), headers=lender.headers)).status_code == 200
    for hidden in (on_theirs, off_case):
        assert (await client.get(url(hidden), headers=lender.headers)).status_code == 404
    listed = await client.get(
        "/api/v1/document-instances", params={"with_total": "true"}, headers=lender.headers
    )
    body = listed.json()
    assert [d["id"] for d in body["items"]] == [on_ours["id"]] and body["total"] == 1
    # Reading is all a lender may do with it.
    patched = await client.patch(
        url(on_ours), json={"title": "Mine now", "version": 1}, headers=lender.headers
    )
    assert patched.status_code in (403, 404)
    # A lender who is not on the case sees none of it, nor the case.
    for doc in (on_ours, on_theirs):
        assert (await client.get(url(doc), headers=other_lender.headers)).status_code == 404
    case_url = f"/api/v1/cases/{ours['id']}"
    assert (await client.get(case_url, headers=other_lender.headers)).status_code == 404
    assert (await client.get(case_url, headers=lender.headers)).status_code == 200

    # The lender was told, with the case named.
    told = await client.get(
        "/api/v1/notifications", params={"case_id": ours["id"]}, headers=lender.headers
    )
    (notice,) = told.json()["items"]
    assert "12 Elm" in notice["title"] and notice["case_id"] == ours["id"]
    people = await client.get(f"{case_url}/participants", headers=lender.headers)
    assert sorted(p["case_role"] for p in people.json()) == ["buyers_agent", "lender"]
    assert (
        await client.get(f"{case_url}/participants", headers=other_lender.headers)
    ).status_code == 404


async def test_only_those_who_run_a_case_add_to_it_or_move_its_status(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    agent = await sign_up("acquisition-specialist")
    lender = await sign_up("mortgage-lender", given=True)
    case = await open_case(client, agent, "12 Elm")
    await client.post(
        "/api/v1/case-participants",
        json={"case_id": case["id"], "user_id": str(lender.id), "case_role": "lender"},
        headers=agent.headers,
    )
    url = f"/api/v1/cases/{case['id']}"
    # A participant does not add others, nor close the deal.
    refused = await client.post(
        "/api/v1/case-participants",
        json={"case_id": case["id"], "user_id": str(agent.id), "case_role": "other"},
        headers=lender.headers,
    )
    assert refused.status_code == 403
    assert (
        await client.post(f"{url}/status", json={"status": "closed"}, headers=lender.headers)
    ).status_code == 403
    # The status moves by its operation, never by a generic update.
    patched = await client.patch(url, json={"status": "closed"}, headers=agent.headers)
    assert patched.status_code == 422
    assert "change_case_status" in patched.json()["errors"][0]["message"]
    closed = await client.post(f"{url}/status", json={"status": "closed"}, headers=agent.headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    # Bad input names its field.
    bad = await client.post(
        "/api/v1/cases", json={"title": "", "kind": "auction"}, headers=agent.headers
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"title", "kind"}
    nobody = await client.post(
        "/api/v1/case-participants",
        json={
            "case_id": case["id"],
            "user_id": "01a23512-35a4-7164-938f-3020653afcf3",
            "case_role": "lender",
        },
        headers=agent.headers,
    )
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "user_id"
