"""Documents over HTTP: the review replaces the generic update of status and signature."""

from __future__ import annotations

import httpx
import pytest

from tests.hub import SignUp

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_document_is_submitted_and_signed_by_a_reviewer(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    agent = await sign_up("acquisition-specialist")  # the role of the purchase agreement
    attorney = await sign_up("real-estate-attorney", given=True)
    templates = await client.get(
        "/api/v1/document-templates", params={"role_id": agent.role_id}, headers=agent.headers
    )
    template = templates.json()["items"][0]
    variables = await client.get(
        "/api/v1/document-variables", params={"template_id": template["id"]}, headers=agent.headers
    )
    data = {v["name"]: "filled" for v in variables.json()["items"]}
    case = await client.post(
        "/api/v1/cases",
        json={"title": "12 Elm Street", "kind": "purchase", "case_role": "buyers_agent"},
        headers=agent.headers,
    )
    assert case.status_code == 201, case.text
    joined = await client.post(
        "/api/v1/case-participants",
        json={"case_id": case.json()["id"], "user_id": str(attorney.id), "case_role": "attorney"},
        headers=agent.headers,
    )
    assert joined.status_code == 201, joined.text
    made = await client.post(
        "/api/v1/document-instances",
        json={
            "template_id": template["id"],
            "user_id": str(agent.id),
            "role_id": agent.role_id,
            "data": data,
            "case_id": case.json()["id"],
        },
        headers=agent.headers,
    )
    assert made.status_code == 201, made.text
    url = f"/api/v1/document-instances/{made.json()['id']}"
    for body in ({"status": "signed"}, {"signed_at": "2026-12-01T10:00:00Z"}):
        patched = await client.patch(url, json=body, headers=agent.headers)
        assert patched.status_code == 422, patched.text

    submitted = await client.post(f"{url}/submit", headers=agent.headers)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "pending"
    mine = await client.post(f"{url}/approve", json={}, headers=agent.headers)
    assert mine.status_code == 403
    signed = await client.post(
        f"{url}/approve", json={}, headers=attorney.headers | {"If-Match": '"2"'}
    )
    assert signed.status_code == 200, signed.text
    assert (signed.json()["status"], signed.json()["reviewed_by"]) == ("signed", str(attorney.id))
    assert signed.json()["signed_at"] is not None
    changed = await client.patch(
        url, json={"title": "new title"}, headers=agent.headers | {"If-Match": "*"}
    )
    assert changed.status_code == 409
