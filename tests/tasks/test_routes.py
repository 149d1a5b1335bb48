"""Tasks over HTTP: their life through the API, their pages, their privacy, their status."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.hub import SignUp, task_body

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_task_lives_and_dies_through_the_api(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me, admin = await sign_up(), await sign_up(admin=True)
    created = await client.post("/api/v1/tasks", json=task_body(me), headers=me.headers)
    assert created.status_code == 201, created.text
    task = created.json()
    assert created.headers["location"] == f"/api/v1/tasks/{task['id']}"
    assert created.headers["etag"] == '"1"'
    assert task["created_by"] == str(me.id)

    got = await client.get(f"/api/v1/tasks/{task['id']}", headers=me.headers)
    assert got.status_code == 200 and got.json() == task
    assert got.headers["etag"] == '"1"'

    changed = await client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"priority": "high"},
        headers=me.headers | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["priority"], changed.json()["version"]) == ("high", 2)
    assert changed.headers["etag"] == '"2"'

    stale = await client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"priority": "low"},
        headers=me.headers | {"If-Match": '"1"'},
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    stale_body = await client.patch(
        f"/api/v1/tasks/{task['id']}", json={"priority": "low", "version": 1}, headers=me.headers
    )
    assert stale_body.status_code == 409

    moved = await client.post(
        f"/api/v1/tasks/{task['id']}/status", json={"status": "completed"}, headers=me.headers
    )
    assert moved.status_code == 200
    assert moved.json()["completed_at"] is not None

    listed = await client.get(
        "/api/v1/tasks", params={"user_id": str(me.id), "with_total": "true"}, headers=me.headers
    )
    assert listed.status_code == 200
    assert listed.json()["total"] == 1
    assert [t["id"] for t in listed.json()["items"]] == [task["id"]]

    assert (
        await client.delete(f"/api/v1/tasks/{task['id']}", headers=me.headers | {"If-Match": '"3"'})
    ).status_code == 204
    assert (await client.get(f"/api/v1/tasks/{task['id']}", headers=me.headers)).status_code == 404
    # Deleted records are the administrators' to see and bring back.
    url = f"/api/v1/tasks/{task['id']}"
    assert (await client.post(f"{url}/restore", headers=me.headers)).status_code == 403
    deleted = await client.get(url, params={"include_deleted": "true"}, headers=admin.headers)
    assert deleted.json()["deleted_at"] is not None
    restored = await client.post(f"{url}/restore", headers=admin.headers)
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert (await client.get(url, headers=me.headers)).status_code == 200


async def test_pages_follow_the_cursor_to_the_end(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up()
    for n in range(5):
        made = await client.post(
            "/api/v1/tasks", json=task_body(me, title=f"Task {n}"), headers=me.headers
        )
        assert made.status_code == 201
    seen: list[str] = []
    params: dict[str, Any] = {
        "user_id": str(me.id),
        "limit": 2,
        "sort": "created_at",
        "order": "asc",
    }
    while True:
        page = (await client.get("/api/v1/tasks", params=params, headers=me.headers)).json()
        seen += [t["title"] for t in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [f"Task {n}" for n in range(5)]


async def test_another_users_private_record_is_not_found(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner, stranger = await sign_up(), await sign_up()
    task = (await client.post("/api/v1/tasks", json=task_body(owner), headers=owner.headers)).json()
    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"title": "mine now"}),
        ("DELETE", "", None),
    ]:
        based = {"If-Match": '"1"'} if method in ("PATCH", "DELETE") else {}
        answer = await client.request(
            method,
            f"/api/v1/tasks/{task['id']}{suffix}",
            json=body,
            headers=stranger.headers | based,
        )
        assert answer.status_code == 404, (method, suffix, answer.text)
    listed = await client.get(
        "/api/v1/tasks", params={"user_id": str(owner.id)}, headers=stranger.headers
    )
    assert listed.json()["items"] == []
    # Nor may anyone create records in someone else's name.
    planted = await client.post("/api/v1/tasks", json=task_body(owner), headers=stranger.headers)
    assert planted.status_code == 403


async def test_a_patch_cannot_complete_a_task(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    me = await sign_up()
    task = (await client.post("/api/v1/tasks", json=task_body(me), headers=me.headers)).json()
    url = f"/api/v1/tasks/{task['id']}"
    for body in ({"status": "completed"}, {"completed_at": "2026-12-01T10:00:00Z"}):
        refused = await client.patch(url, json=body, headers=me.headers)
        assert refused.status_code == 422, refused.text
        (error,) = refused.json()["errors"]
        assert error["field"] == f"{next(iter(body))}"
        assert "change_task_status" in error["message"]
    created = await client.post(
        "/api/v1/tasks", json=task_body(me, status="completed"), headers=me.headers
    )
    assert created.status_code == 422
    assert (await client.get(url, headers=me.headers)).json()["version"] == 1

    done = await client.post(f"{url}/status", json={"status": "completed"}, headers=me.headers)
    assert done.status_code == 200
    assert done.json()["completed_at"] is not None
    assert done.headers["etag"] == '"2"'
    back = await client.post(f"{url}/status", json={"status": "cancelled"}, headers=me.headers)
    assert back.status_code == 409
    assert "cannot become cancelled" in back.json()["detail"]
    stale = await client.post(
        f"{url}/status",
        json={"status": "in_progress"},
        headers=me.headers | {"If-Match": '"1"'},
    )
    assert stale.status_code == 409
