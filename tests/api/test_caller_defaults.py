"""What the server knows of the caller is not asked again: a new task, document, compliance
record, reminder or metric is the caller's, in the caller's role, unless it names someone
else, and naming someone else takes a permission that reaches them."""

from __future__ import annotations

import httpx
import pytest

from tests.compliance.test_routes import join_firm
from tests.hub import Person, SignUp

pytestmark = pytest.mark.usefixtures("backend")


async def first_id(client: httpx.AsyncClient, person: Person, path: str) -> str:
    found = await client.get(path, params={"role_id": person.role_id}, headers=person.headers)
    assert found.status_code == 200, found.text
    return str(found.json()["items"][0]["id"])


async def test_a_professionals_new_rows_are_their_own_in_their_role(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up("residential-appraiser", given=True)
    task = await client.post("/api/v1/tasks", json={"title": "Visit"}, headers=me.headers)
    assert task.status_code == 201, task.text
    assert (task.json()["user_id"], task.json()["role_id"]) == (str(me.id), me.role_id)

    template_id = await first_id(client, me, "/api/v1/document-templates")
    document = await client.post(
        "/api/v1/document-instances", json={"template_id": template_id}, headers=me.headers
    )
    assert document.status_code == 201, document.text
    assert (document.json()["user_id"], document.json()["role_id"]) == (str(me.id), me.role_id)

    requirement_id = await first_id(client, me, "/api/v1/compliance-requirements")
    record = await client.post(
        "/api/v1/compliance-records", json={"requirement_id": requirement_id}, headers=me.headers
    )
    assert record.status_code == 201, record.text
    assert record.json()["user_id"] == str(me.id)

    reminder = await client.post(
        "/api/v1/reminders",
        json={
            "task_id": task.json()["id"],
            "channel": "in_app",
            "scheduled_at": "2027-01-14T09:00:00Z",
        },
        headers=me.headers,
    )
    assert reminder.status_code == 201, reminder.text
    assert reminder.json()["user_id"] == str(me.id)

    metric = await client.post(
        "/api/v1/analytics-metrics",
        json={
            "user_id": str(me.id),
            "metric": "appraisals_completed",
            "unit": "count",
            "value": 3,
            "category": "performance",
        },
        headers=me.headers,
    )
    assert metric.status_code == 201, metric.text
    assert metric.json()["role_id"] == me.role_id


async def test_a_row_for_someone_else_needs_a_permission_reaching_them(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me, stranger = await sign_up(), await sign_up("home-inspector")
    for path, body in [
        ("/api/v1/tasks", {"title": "Visit", "user_id": str(stranger.id)}),
        (
            "/api/v1/compliance-records",
            {
                "requirement_id": await first_id(client, me, "/api/v1/compliance-requirements"),
                "user_id": str(stranger.id),
            },
        ),
    ]:
        refused = await client.post(path, json=body, headers=me.headers)
        assert refused.status_code == 403, (path, refused.text)


async def test_a_broker_assigns_a_task_in_the_assignees_role(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    broker = await sign_up("real-estate-broker", given=True)
    agent = await sign_up("real-estate-agent")
    await join_firm(client, broker, agent)
    assigned = await client.post(
        "/api/v1/tasks",
        json={"title": "Show the flat", "user_id": str(agent.id)},
        headers=broker.headers,
    )
    assert assigned.status_code == 201, assigned.text
    task = assigned.json()
    assert (task["user_id"], task["role_id"], task["created_by"]) == (
        str(agent.id),
        "real-estate-agent",
        str(broker.id),
    )


async def test_a_row_for_nobody_known_names_the_field(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up()
    missing = await client.post(
        "/api/v1/tasks",
        json={"title": "Visit", "user_id": "00000000-0000-7000-8000-000000000000"},
        headers=me.headers,
    )
    assert missing.status_code == 422, missing.text
    assert [e["field"] for e in missing.json()["errors"]] == ["user_id"]
