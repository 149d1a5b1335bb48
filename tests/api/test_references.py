"""References in a create or update: checked with the caller's own read access.

A row the caller may not read is answered exactly as a row that does not exist, so a
reference cannot be used to learn which ids exist (the probe: "no tasks row with id ...").
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from dreamery import DatabaseService
from dreamery.core.errors import ValidationError
from tests.hub import SignUp, task_body

pytestmark = pytest.mark.usefixtures("backend")


def _error(answer: httpx.Response, field: str) -> str:
    assert answer.status_code == 422, answer.text
    messages = [e["message"] for e in answer.json()["errors"] if e["field"] == field]
    assert messages, answer.json()
    return messages[0]


def _reminder(task_id: object, user_id: object) -> dict[str, Any]:
    return {
        "task_id": str(task_id),
        "user_id": str(user_id),
        "channel": "email",
        "scheduled_at": "2027-01-10T09:00:00Z",
    }


async def test_a_reminder_on_someone_elses_task_is_refused_like_a_missing_one(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner, stranger = await sign_up(), await sign_up()
    task = await client.post("/api/v1/tasks", json=task_body(owner), headers=owner.headers)
    assert task.status_code == 201, task.text
    theirs = task.json()["id"]
    missing = str(uuid.uuid4())

    hidden = await client.post(
        "/api/v1/reminders", json=_reminder(theirs, stranger.id), headers=stranger.headers
    )
    absent = await client.post(
        "/api/v1/reminders", json=_reminder(missing, stranger.id), headers=stranger.headers
    )
    assert _error(hidden, "task_id") == f"no task with id {theirs}"
    assert _error(absent, "task_id") == f"no task with id {missing}"
    assert hidden.json()["errors"][0]["type"] == absent.json()["errors"][0]["type"]

    mine = await client.post(
        "/api/v1/reminders", json=_reminder(theirs, owner.id), headers=owner.headers
    )
    assert mine.status_code == 201, mine.text


async def test_a_deleted_row_is_no_reference(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    task = await client.post("/api/v1/tasks", json=task_body(owner), headers=owner.headers)
    task_id = task.json()["id"]
    gone = await client.delete(
        f"/api/v1/tasks/{task_id}", headers=owner.headers | {"If-Match": '"1"'}
    )
    assert gone.status_code in (200, 204), gone.text
    answer = await client.post(
        "/api/v1/reminders", json=_reminder(task_id, owner.id), headers=owner.headers
    )
    assert _error(answer, "task_id") == f"no task with id {task_id}"


async def test_a_document_from_a_template_the_caller_cannot_read_is_refused(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    agent = await sign_up("real-estate-agent")
    other_roles = await api_db.create_document_template(
        {
            "name": f"Lien waiver {uuid.uuid4().hex[:6]}",
            "role_id": "general-contractor",
            "category": "contract",
            "content": "Waiver for {{ project }}",
        }
    )
    own_role = await api_db.create_document_template(
        {
            "name": f"Listing agreement {uuid.uuid4().hex[:6]}",
            "role_id": "real-estate-agent",
            "category": "contract",
            "content": "Listing of {{ address }}",
        }
    )

    def body(template_id: object) -> dict[str, Any]:
        return {
            "template_id": str(template_id),
            "user_id": str(agent.id),
            "role_id": "real-estate-agent",
        }

    refused = await client.post(
        "/api/v1/document-instances", json=body(other_roles.id), headers=agent.headers
    )
    assert _error(refused, "template_id") == f"no document template with id {other_roles.id}"
    made = await client.post(
        "/api/v1/document-instances", json=body(own_role.id), headers=agent.headers
    )
    assert made.status_code == 201, made.text


def _metric(person: Any, **fields: Any) -> dict[str, Any]:
    return {
        "role_id": person.role_id,
        "user_id": str(person.id),
        "metric": "deals_closed",
        "unit": "count",
        "value": 3,
        "category": "performance",
    } | fields


async def test_a_metric_is_tagged_with_the_professionals_own_role(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    agent = await sign_up("real-estate-agent")
    other = await client.post(
        "/api/v1/analytics-metrics",
        json=_metric(agent, role_id="mortgage-broker"),
        headers=agent.headers,
    )
    assert "your own role" in _error(other, "role_id")
    own = await client.post("/api/v1/analytics-metrics", json=_metric(agent), headers=agent.headers)
    assert own.status_code == 201, own.text


@pytest.mark.parametrize(
    ("unit", "value", "fragment"),
    [
        ("percent", 1e9, "between -100 and 1,000"),
        ("count", 2.5, "whole number"),
        ("count", -1, "between 0 and"),
        ("usd", 1e15, "between"),
        ("furlongs", 1e13, "between"),
    ],
)
async def test_a_metric_value_outside_its_units_range_is_refused(
    client: httpx.AsyncClient, sign_up: SignUp, unit: str, value: float, fragment: str
) -> None:
    agent = await sign_up()
    answer = await client.post(
        "/api/v1/analytics-metrics",
        json=_metric(agent, unit=unit, value=value),
        headers=agent.headers,
    )
    assert fragment in _error(answer, "value")


async def test_a_corrected_metric_value_is_held_to_the_same_range(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    agent = await sign_up()
    made = await api_db.create_analytics_metric(_metric(agent, unit="percent", value=42))
    for change in ({"value": 5000}, {"unit": "count", "value": 0.5}):
        with pytest.raises(ValidationError) as refused:
            await api_db.update_analytics_metric(made.id, change)
        assert [e.field for e in refused.value.errors] == ["value"], change
    kept = await api_db.find_analytics_metric_by_id(made.id)
    assert (kept.value, kept.unit) == (42, "percent")
    shrunk = await api_db.create_analytics_metric(_metric(agent, unit="usd", value=-5000))
    with pytest.raises(ValidationError, match="between 0 and"):
        await api_db.update_analytics_metric(shrunk.id, {"unit": "count"})
    fixed = await api_db.update_analytics_metric(made.id, {"value": 43.5})
    assert fixed.value == 43.5
