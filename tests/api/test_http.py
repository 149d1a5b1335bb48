"""What every route of the API does alike: problems for bad input, body and rate limits, the
request in the audit row, text no database can store."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from dreamery import DatabaseService
from dreamery.api.app import create_app
from tests.hub import SignUp, client_for, settings, task_body

pytestmark = pytest.mark.usefixtures("backend")


async def test_bad_input_gets_a_problem_never_a_500(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up()
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/v1/tasks?limit=0", {}),
        ("GET", "/api/v1/tasks?limit=101", {}),
        ("GET", "/api/v1/tasks?sort=password_hash", {}),
        ("GET", "/api/v1/tasks?status=someday", {}),
        ("GET", "/api/v1/tasks?user_id=not-a-uuid", {}),
        ("GET", "/api/v1/tasks?cursor=!!!", {}),
        ("GET", "/api/v1/users?cursor=eyJ4IjogMX0", {}),
        ("GET", "/api/v1/tasks/not-a-uuid", {}),
        (
            "POST",
            "/api/v1/tasks",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("POST", "/api/v1/tasks", {"json": ["a", "list"]}),
        ("POST", "/api/v1/tasks", {"json": task_body(me, title="")}),
        ("POST", "/api/v1/tasks", {"json": task_body(me, due_date="2027-01-15T09:00:00")}),
        ("POST", "/api/v1/tasks", {"json": task_body(me, surprise=1)}),
        (
            "PATCH",
            f"/api/v1/tasks/{uuid.uuid4()}",
            {"json": {"title": "x"}, "headers": {"If-Match": "yesterday"}},
        ),
    ]
    for method, url, extra in cases:
        headers = me.headers | extra.pop("headers", {})
        answer = await client.request(method, url, headers=headers, **extra)
        assert answer.status_code in (400, 404, 422), (method, url, answer.status_code, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", url
        assert answer.json()["detail"], url

    # What the server knows of the caller is not missing: the task is theirs, in their role.
    mine = await client.post("/api/v1/tasks", json={"title": "x"}, headers=me.headers)
    assert mine.status_code == 201, mine.text
    assert (mine.json()["user_id"], mine.json()["role_id"]) == (str(me.id), me.role_id)


async def test_oversized_bodies_are_refused(api_db: DatabaseService, sign_up: SignUp) -> None:
    me = await sign_up()
    app = create_app(api_db, settings(max_body_bytes=4096))
    async with client_for(app) as http:
        big = task_body(me, description="x" * 10_000)
        announced = await http.post("/api/v1/tasks", json=big, headers=me.headers)
        assert announced.status_code == 413
        assert announced.json()["code"] == "payload_too_large"

        async def chunks() -> Any:
            for _ in range(10):
                yield b"x" * 1000

        streamed = await http.post(
            "/api/v1/tasks",
            content=chunks(),
            headers=me.headers | {"content-type": "application/json"},
        )
        assert streamed.status_code == 413


async def test_requests_are_limited_per_address_and_per_user(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    me = await sign_up()
    app = create_app(api_db, settings(rate_limit_per_ip="5/hour", rate_limit_per_user="3/hour"))
    async with client_for(app, ip="192.0.2.1") as http:
        codes = [(await http.get("/me", headers=me.headers)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
    async with client_for(app, ip="192.0.2.2") as http:
        # A new address, the same user: still over the user's limit.
        assert (await http.get("/me", headers=me.headers)).status_code == 429
        anonymous = [(await http.get("/api/v1/roles")).status_code for _ in range(5)]
        assert anonymous == [200, 200, 200, 200, 429]
        limited = await http.get("/api/v1/roles")
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.headers["content-type"] == "application/problem+json"
        assert (await http.get("/health")).status_code == 200


async def test_the_audit_row_knows_the_request(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    me, admin = await sign_up(), await sign_up(admin=True)
    task = (await client.post("/api/v1/tasks", json=task_body(me), headers=me.headers)).json()
    await client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"title": "Call the buyer", "version": 1},
        headers=me.headers | {"X-Request-ID": "req-audit-1", "User-Agent": "hub-tests/1.0"},
    )
    trail = await client.get(
        "/api/v1/audit-logs",
        params={"resource": "task", "resource_id": task["id"]},
        headers=admin.headers,
    )
    assert trail.status_code == 200
    rows = trail.json()["items"]
    assert [r["action"] for r in rows] == ["update", "create"]  # newest first
    update = rows[0]
    assert update["request_id"] == "req-audit-1"
    assert update["ip_address"] == "203.0.113.7"
    assert update["user_agent"] == "hub-tests/1.0"
    assert update["user_id"] == str(me.id)
    assert update["changes"] == {"title": ["Call the seller", "Call the buyer"]}
    # A professional reads only the rows about their own doing.
    own = await client.get("/api/v1/audit-logs", headers=me.headers)
    assert own.status_code == 200
    assert {r["user_id"] for r in own.json()["items"]} <= {str(me.id)}


async def test_text_no_database_can_store_is_refused_by_field(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up()
    nul = await client.post(
        "/api/v1/tasks", json=task_body(me, tags=["ok", "bad\u0000"]), headers=me.headers
    )
    assert nul.status_code == 422
    assert [(e["field"], e["message"]) for e in nul.json()["errors"]] == [
        ("tags.1", "must not contain NUL (\\u0000) characters")
    ]
    # Every such field at once, and none of them looked up as a reference.
    both = await client.post(
        "/api/v1/tasks",
        json=task_body(me, role_id="\u0000", user_id="\u0000"),
        headers=me.headers,
    )
    assert both.status_code == 422, both.text
    assert [e["field"] for e in both.json()["errors"]] == ["role_id", "user_id"]
    surrogate = await client.post(
        "/api/v1/tasks",
        content=b'{"title": "x\\ud800", "role_id": "a", "user_id": "%s"}' % str(me.id).encode(),
        headers=me.headers | {"content-type": "application/json"},
    )
    assert surrogate.status_code == 422
    assert surrogate.json()["errors"][0]["field"] == "title"
    assert "not valid Unicode text" in surrogate.json()["errors"][0]["message"]
    in_url = await client.get("/api/v1/tasks", params={"tags": "x\u0000"}, headers=me.headers)
    assert in_url.status_code == 422
    login = await client.post(
        "/auth/login", data={"username": "a\u0000@example.com", "password": "x"}
    )
    assert login.status_code == 401


async def test_a_pattern_error_says_what_the_field_means(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up()
    profiles = await client.get(
        "/api/v1/profiles", params={"user_id": str(me.id)}, headers=me.headers
    )
    [profile] = profiles.json()["items"]
    refused = await client.patch(
        f"/api/v1/profiles/{profile['id']}",
        json={"phone": "call me maybe", "version": profile["version"]},
        headers=me.headers,
    )
    assert refused.status_code == 422, refused.text
    [problem] = [e for e in refused.json()["errors"] if e["field"].endswith("phone")]
    assert problem["message"] == (
        "must be a phone number: digits, spaces and + ( ) . / -, 7 to 32 characters"
    )
    assert "[0-9" not in refused.text
