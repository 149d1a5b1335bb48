"""No input reaches a 500: JSON nested or sized past the bounds, altered cursors, and
random values (Hypothesis) for every list and create route, on both databases.

A client's mistake is a 4xx naming what is wrong; the log gets no traceback for it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dreamery import DatabaseService
from dreamery.api.app import create_app
from dreamery.api.guards import MAX_BODY_DEPTH
from dreamery.core.schemas import MAX_JSON_BYTES, MAX_JSON_DEPTH
from tests.hub import PASSWORD, SignUp, client_for, settings, task_body

pytestmark = pytest.mark.usefixtures("backend")

ROOMY = {
    "rate_limit_per_ip": "1000000/minute",
    "rate_limit_per_user": "1000000/minute",
    "login_limit_per_ip": "1000000/minute",
}


@dataclass(frozen=True)
class Deep:
    """JSON nested `depth` levels (alternating objects and lists), written out as text by
    `encode`: deeper than Python's own encoder would follow."""

    depth: int

    def text(self) -> str:
        opening = "".join('{"k":' if level % 2 else "[" for level in range(self.depth))
        closing = "".join("}" if level % 2 else "]" for level in reversed(range(self.depth)))
        return f"{opening}1{closing}"


def encode(body: Any) -> bytes:
    """`body` as JSON, with each `Deep` in it written out in place."""
    deep: list[Deep] = []

    def mark(value: Any) -> str:
        if isinstance(value, Deep):
            deep.append(value)
            return f"@@deep{len(deep) - 1}@@"
        raise TypeError(type(value))

    text = json.dumps(body, default=mark)
    for index, value in enumerate(deep):
        text = text.replace(f'"@@deep{index}@@"', value.text(), 1)
    return text.encode()


JSON_TYPE = {"content-type": "application/json"}


def _errors(answer: httpx.Response) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = answer.json().get("errors") or []
    return errors


async def _template(api_db: DatabaseService, role_id: str) -> Any:
    return await api_db.create_document_template(
        {
            "name": f"Offer {uuid.uuid4().hex[:8]}",
            "role_id": role_id,
            "category": "contract",
            "content": "Offer for {{ address }}",
        }
    )


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, [r.getMessage()[:300] for r in loud]


async def test_json_nested_past_the_bound_is_refused_by_field(
    client: httpx.AsyncClient,
    sign_up: SignUp,
    api_db: DatabaseService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    agent = await sign_up()
    template = await _template(api_db, agent.role_id)

    def body(data: Any) -> dict[str, Any]:
        return {
            "template_id": str(template.id),
            "user_id": str(agent.id),
            "role_id": agent.role_id,
            "data": data,
        }

    caplog.set_level(logging.INFO)
    within = await client.post(
        "/api/v1/document-instances",
        content=encode(body({"a": Deep(MAX_JSON_DEPTH - 3)})),
        headers=agent.headers | JSON_TYPE,
    )
    assert within.status_code == 201, within.text
    for depth, bound in (
        (MAX_JSON_DEPTH + 1, MAX_JSON_DEPTH),
        (300, MAX_BODY_DEPTH),
        (990, MAX_BODY_DEPTH),
    ):
        answer = await client.post(
            "/api/v1/document-instances",
            content=encode(body(Deep(depth))),
            headers=agent.headers | JSON_TYPE,
        )
        assert answer.status_code == 422, (depth, answer.text[:300])
        (error,) = _errors(answer)
        assert error["field"].startswith("data"), error
        assert f"nested deeper than {bound} levels" in error["message"]
        assert len(answer.content) < 4_000  # the answer names the place, not the whole path
    # Deeper than any parser should follow, and not even valid JSON: refused before parsing.
    unread = await client.post(
        "/api/v1/document-instances",
        content=b'{"title": "x", "data": ' + b"[" * 200_000,
        headers=agent.headers | JSON_TYPE,
    )
    assert unread.status_code == 422, unread.text[:300]
    assert _errors(unread)[0]["field"] == "data"
    _no_tracebacks(caplog)


async def test_a_json_body_not_in_utf_8_is_refused_unread(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    """In UTF-16 a character can carry a quote byte (U+2200 is `00 22`): the nesting would be
    hidden from a count made in UTF-8 while the parser, reading UTF-16, recursed into it."""
    agent = await sign_up()
    template = await _template(api_db, agent.role_id)
    text = encode(
        {
            "template_id": str(template.id),
            "user_id": str(agent.id),
            "role_id": agent.role_id,
            "title": "\u2200",
            "data": Deep(5_000),
        }
    ).decode()
    text = text.replace("\\u2200", "\u2200")  # the character itself, not its escape
    assert "\u2200" in text
    for charset in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        answer = await client.post(
            "/api/v1/document-instances",
            content=text.encode(charset),
            headers=agent.headers | JSON_TYPE,
        )
        assert answer.status_code == 415, (charset, answer.text[:300])
        assert answer.json()["code"] == "unsupported_media_type"
        detail = answer.json()["detail"]
        assert f"body is {charset.upper()}" in detail and "must be UTF-8" in detail
    declared = await client.post(
        "/api/v1/document-instances",
        content=text.encode(),
        headers=agent.headers | {"content-type": "application/json; charset=UTF-16"},
    )
    assert declared.status_code == 415
    assert "charset=utf-16" in declared.json()["detail"]
    # In UTF-8, labelled so or not, the same body is counted and refused by field.
    for content_type in ("application/json", 'application/json; charset="utf-8"'):
        counted = await client.post(
            "/api/v1/document-instances",
            content=text.encode(),
            headers=agent.headers | {"content-type": content_type},
        )
        assert counted.status_code == 422, counted.text[:300]
        assert _errors(counted)[0]["field"] == "data"
    document = (await client.get("/openapi.json")).json()
    assert "415" in document["paths"]["/api/v1/document-instances"]["post"]["responses"]
    assert "415" not in document["paths"]["/api/v1/document-instances"]["get"]["responses"]


async def test_free_form_json_past_its_size_is_refused_by_field(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    agent = await sign_up()
    template = await _template(api_db, agent.role_id)
    answer = await client.post(
        "/api/v1/document-instances",
        json={
            "template_id": str(template.id),
            "user_id": str(agent.id),
            "role_id": agent.role_id,
            "data": {"notes": "x" * (MAX_JSON_BYTES + 1)},
        },
        headers=agent.headers,
    )
    assert answer.status_code == 422, answer.text[:300]
    (error,) = _errors(answer)
    assert error["field"] == "data"
    assert f"at most {MAX_JSON_BYTES:,}" in error["message"]


def _reencoded(cursor: str, change: Any) -> str:
    """`cursor` with its payload changed but its signature kept (a tampering client)."""
    body, mac = cursor.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    changed = json.dumps(change(payload)).encode()
    return f"{base64.urlsafe_b64encode(changed).decode().rstrip('=')}.{mac}"


async def test_an_altered_cursor_is_400_invalid_cursor(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me = await sign_up()
    for n in range(3):
        made = await client.post(
            "/api/v1/tasks",
            json=task_body(me, title=f"T{n}", due_date=f"2027-01-1{n}T09:00:00Z"),
            headers=me.headers,
        )
        assert made.status_code == 201, made.text
    first = await client.get("/api/v1/tasks", params={"limit": 1}, headers=me.headers)
    cursor = first.json()["next_cursor"]
    assert cursor
    following = await client.get(
        "/api/v1/tasks", params={"limit": 1, "cursor": cursor}, headers=me.headers
    )
    assert following.status_code == 200

    sort_key = 1  # payload = [listing, [sort value, id]]
    tampered = {
        "a number for the due date": lambda p: [p[0], [12345, p[1][1]]],
        "a list for the due date": lambda p: [p[0], [[1, 2], p[1][1]]],
        "a naive date-time": lambda p: [p[0], [{"t": "2027-01-10T09:00:00"}, p[1][1]]],
        "a string due date": lambda p: [p[0], ["tomorrow", p[1][1]]],
        "another id": lambda p: [p[0], [p[sort_key][0], {"u": str(uuid.uuid4())}]],
        "three values": lambda p: [p[0], [*p[1], 1]],
    }
    cursors = {name: _reencoded(cursor, change) for name, change in tampered.items()}
    cursors |= {
        "garbage": "garbage",
        "unsigned": cursor.split(".")[0],
        "wrong signature": cursor.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAA",
        "not base64": "!!!.???",
        "too long to be one": "a" * 1900 + "." + "b" * 22,
    }
    for name, bad in cursors.items():
        answer = await client.get(
            "/api/v1/tasks", params={"limit": 1, "cursor": bad}, headers=me.headers
        )
        assert answer.status_code == 400, (name, answer.status_code, answer.text[:300])
        body = answer.json()
        assert body["code"] == "invalid_cursor", name
        assert body["errors"][0]["field"] == "cursor", name
    other_sort = await client.get(
        "/api/v1/tasks",
        params={"limit": 1, "cursor": cursor, "sort": "created_at"},
        headers=me.headers,
    )
    assert other_sort.status_code == 400
    assert other_sort.json()["code"] == "invalid_cursor"


# --- Hypothesis: random input to every list and create route -------------------------------


@dataclass
class Hub:
    """The app and an administrator's client, in an event loop of their own (Hypothesis
    calls the test synchronously, once per example)."""

    runner: asyncio.Runner
    client: httpx.AsyncClient
    creates: dict[str, list[str]]  # path -> the fields of its body
    lists: list[str]
    cursors: dict[str, str]
    valid: dict[str, dict[str, Any]]  # path -> a body it accepts, to change a field or two of

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.runner.run(self.client.request(method, path, **kwargs))


def _routes(document: dict[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
    schemas = document["components"]["schemas"]
    creates: dict[str, list[str]] = {}
    lists: list[str] = []
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/") or "{" in path:
            continue
        names = [p["name"] for p in operations.get("get", {}).get("parameters", [])]
        if "cursor" in names:
            lists.append(path)
        body = operations.get("post", {}).get("requestBody", {})
        reference = body.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in reference:
            schema = schemas[reference["$ref"].rsplit("/", 1)[-1]]
            creates[path] = sorted(schema.get("properties", {}))
    return creates, lists


@pytest.fixture
def hub(api_url: str) -> Iterator[Hub]:
    runner = asyncio.Runner()

    async def start() -> tuple[DatabaseService, httpx.AsyncClient]:
        db = DatabaseService(api_url)
        email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
        admin = await db.create_user(
            {
                "email": email,
                "first_name": "Fuzz",
                "last_name": "Admin",
                "role_id": "real-estate-agent",
                "is_admin": True,
            }
        )
        await db.set_user_password(admin.id, PASSWORD)
        client = client_for(create_app(db, settings(**ROOMY)))
        login = await client.post("/auth/login", data={"username": email, "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        return db, client

    db, client = runner.run(start())
    valid = runner.run(_valid_bodies(db, client))
    document = client.app.openapi() if hasattr(client, "app") else None
    openapi = runner.run(client.get("/openapi.json")).json() if document is None else document
    creates, lists = _routes(openapi)
    cursors = {}
    for path in lists:
        page = runner.run(client.get(path, params={"limit": 1})).json()
        if isinstance(page, dict) and page.get("next_cursor"):
            cursors[path] = page["next_cursor"]
    try:
        yield Hub(runner, client, creates, lists, cursors, valid)
    finally:
        runner.run(client.aclose())
        runner.run(db.close())
        runner.close()


async def _valid_bodies(db: DatabaseService, client: httpx.AsyncClient) -> dict[str, Any]:
    """A body each of the busiest create routes accepts, made by the administrator."""
    me = (await client.get("/me")).json()
    user_id, role_id = me["id"], me["role_id"]
    template = await _template(db, role_id)
    task = await db.create_task(
        {
            "title": "Seed",
            "role_id": role_id,
            "user_id": user_id,
            "due_date": "2027-02-01T09:00:00Z",
        }
    )
    return {
        "/api/v1/tasks": {
            "title": "Call",
            "role_id": role_id,
            "user_id": user_id,
            "due_date": "2027-01-15T09:00:00Z",
            "tags": ["calls"],
        },
        "/api/v1/reminders": {
            "task_id": str(task.id),
            "user_id": user_id,
            "channel": "email",
            "scheduled_at": "2027-01-10T09:00:00Z",
        },
        "/api/v1/document-instances": {
            "template_id": str(template.id),
            "user_id": user_id,
            "role_id": role_id,
            "data": {"address": "1 Main St"},
        },
        "/api/v1/analytics-metrics": {
            "role_id": role_id,
            "user_id": user_id,
            "metric": "deals_closed",
            "unit": "count",
            "value": 3,
            "category": "performance",
            "metadata": {"source": "crm"},
        },
        "/api/v1/notifications": {
            "user_id": user_id,
            "title": "Hello",
            "message": "A message",
            "data": {"link": "/tasks"},
        },
        "/api/v1/dashboards": {
            "role_id": role_id,
            "name": f"Board {uuid.uuid4().hex[:6]}",
            "widgets": [{"widget_type": "kpi", "title": "Deals", "settings": {"a": 1}}],
        },
        "/api/v1/workflows": {
            "name": f"Flow {uuid.uuid4().hex[:6]}",
            "role_id": role_id,
            "steps": [{"name": "Start", "order": 1}],
        },
    }


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["", "0", "-1", "2027-01-10T09:00:00", "2027-01-10T09:00:00Z", "x" * 300])
    | st.uuids().map(str)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=16,
)
DEEP = st.integers(min_value=MAX_JSON_DEPTH - 2, max_value=1_200).map(Deep)
VALUES = JSON | DEEP


def _cursor_variants(hub: Hub, path: str) -> st.SearchStrategy[str]:
    real = hub.cursors.get(path)
    made_up = st.text(max_size=120) | st.binary(max_size=90).map(
        lambda b: base64.urlsafe_b64encode(b).decode()
    )
    if real is None:
        return made_up
    body, mac = real.split(".")
    return (
        made_up
        | st.just(real)
        | st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789-_", max_size=30).map(
            lambda noise: f"{body}{noise}.{mac}"
        )
        | JSON.map(lambda value: _reencoded(real, lambda _payload: value))
    )


EXAMPLES = int(os.environ.get("DREAMERY_FUZZ_EXAMPLES", "60"))
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),  # CI replays the same examples every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_random_bodies_never_reach_a_server_error(hub: Hub, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted(hub.creates)), label="route")
    fields = hub.creates[path]
    names = st.sampled_from(fields) if fields else st.text(max_size=10)
    body = data.draw(
        st.dictionaries(names | st.text(max_size=10), VALUES, max_size=6)
        | VALUES,  # not even an object
        label="body",
    )
    answer = hub.send("POST", path, content=encode(body), headers=JSON_TYPE)
    assert answer.status_code < 500, (path, answer.status_code, answer.text[:500])
    assert answer.headers["content-type"].startswith(("application/json", "application/problem"))


@FUZZ
@given(data=st.data())
def test_valid_bodies_with_fields_changed_never_reach_a_server_error(
    hub: Hub, data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(sorted(hub.valid)), label="route")
    body = dict(hub.valid[path])
    for name in data.draw(
        st.lists(st.sampled_from([*body, *hub.creates.get(path, [])]), max_size=3, unique=True),
        label="changed",
    ):
        body[name] = data.draw(VALUES, label=name)
    answer = hub.send("POST", path, content=encode(body), headers=JSON_TYPE)
    assert answer.status_code < 500, (path, answer.status_code, answer.text[:500])


@FUZZ
@given(data=st.data())
def test_random_list_parameters_never_reach_a_server_error(hub: Hub, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted(hub.lists)), label="route")
    params: dict[str, Any] = {
        "cursor": data.draw(_cursor_variants(hub, path), label="cursor"),
    }
    if data.draw(st.booleans(), label="with limit"):
        params["limit"] = data.draw(
            st.integers(min_value=-5, max_value=500).map(str) | st.text(max_size=6), label="limit"
        )
    if data.draw(st.booleans(), label="with sort"):
        params["sort"] = data.draw(
            st.sampled_from(["created_at", "due_date", "timestamp", "name"]) | st.text(max_size=12),
            label="sort",
        )
    answer = hub.send("GET", path, params=params)
    assert answer.status_code < 500, (path, params, answer.status_code, answer.text[:500])
