"""Errors read the same on every route: one 422 with every field error (schema, references,
policies), field paths without a prefix, malformed JSON in words, duplicates as 409 naming
the field, a 403 naming the permission, and no change of a record without its version (428).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery import DatabaseService, errors
from dreamery.api.app import create_app
from dreamery.models import Base
from tests import factories
from tests.hub import PASSWORD, SignUp, settings, task_body

pytestmark = pytest.mark.usefixtures("backend")

Maker = Callable[[AsyncSession], Awaitable[Any]]


def _name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


# A record of each kind, and a change of one of its plain fields.
RESOURCES: dict[str, tuple[Maker, dict[str, Any]]] = {
    "tasks": (lambda s: factories.task(s), {"title": "Call the buyer"}),
    "reminders": (lambda s: factories.reminder(s), {"message": "Bring the keys"}),
    "workflows": (lambda s: factories.workflow(s, name=_name("Flow")), {"name": _name("Flow")}),
    "document-templates": (
        lambda s: factories.template(s, name=_name("Lease")),
        {"description": "Residential lease"},
    ),
    "compliance-requirements": (
        lambda s: factories.requirement(s, name=_name("E&O")),
        {"description": "Errors and omissions"},
    ),
    "dashboards": (lambda s: factories.dashboard(s, name=_name("Board")), {"name": _name("B")}),
    "cases": (lambda s: factories.case(s), {"title": "14 Elm Street"}),
    "profiles": (lambda s: factories.profile(s), {"company": "Elm Realty"}),
}


async def _record(api_db: DatabaseService, collection: str) -> str:
    make, _ = RESOURCES[collection]
    async with AsyncSession(api_db.engine, expire_on_commit=False) as session:
        made = await make(session)
        await session.commit()
    return str(made.id)


def _problem(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    return body


def _messages(answer: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in answer.json()["errors"]}


# --- 428: no change without the version it is based on -----------------------------------


@pytest.mark.parametrize("collection", sorted(RESOURCES))
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_a_change_without_its_version_is_refused_with_428(
    client: httpx.AsyncClient,
    sign_up: SignUp,
    api_db: DatabaseService,
    collection: str,
    method: str,
) -> None:
    admin = await sign_up(admin=True)
    record_id = await _record(api_db, collection)
    url = f"/api/v1/{collection}/{record_id}"
    body = RESOURCES[collection][1] if method == "PATCH" else None
    answer = await client.request(method, url, json=body, headers=admin.headers)
    problem = _problem(answer, 428, "precondition_required")
    assert problem["title"] == "Precondition Required"
    assert "If-Match" in problem["detail"] and '"version"' in problem["detail"]
    # Nothing changed.
    read = await client.get(url, headers=admin.headers)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'


@pytest.mark.parametrize("collection", sorted(RESOURCES))
async def test_a_change_based_on_its_version_applies(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService, collection: str
) -> None:
    admin = await sign_up(admin=True)
    url = f"/api/v1/{collection}/{await _record(api_db, collection)}"
    change = RESOURCES[collection][1]
    by_header = await client.patch(url, json=change, headers=admin.headers | {"If-Match": '"1"'})
    assert by_header.status_code == 200, by_header.text
    assert by_header.headers["etag"] == '"2"'
    by_body = await client.patch(url, json={**change, "version": 2}, headers=admin.headers)
    assert by_body.status_code == 200, by_body.text
    stale = await client.patch(url, json=change, headers=admin.headers | {"If-Match": '"1"'})
    assert "now 2" in _problem(stale, 409, "conflict")["detail"]
    disagree = await client.patch(
        url, json={**change, "version": 2}, headers=admin.headers | {"If-Match": '"1"'}
    )
    assert "version" in _messages(disagree)
    stale_delete = await client.request("DELETE", url, json={"version": 1}, headers=admin.headers)
    _problem(stale_delete, 409, "conflict")
    deleted = await client.request("DELETE", url, json={"version": 2}, headers=admin.headers)
    assert deleted.status_code == 204, deleted.text


async def test_a_delete_takes_if_match_or_star(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    admin = await sign_up(admin=True)
    first, second = (
        f"/api/v1/tasks/{await _record(api_db, 'tasks')}",
        f"/api/v1/tasks/{await _record(api_db, 'tasks')}",
    )
    by_header = await client.delete(first, headers=admin.headers | {"If-Match": '"1"'})
    assert by_header.status_code == 204, by_header.text
    whatever = await client.delete(second, headers=admin.headers | {"If-Match": "*"})
    assert whatever.status_code == 204, whatever.text


async def test_the_facade_leaves_the_version_to_its_caller(db: DatabaseService) -> None:
    user = await db.create_user(
        {
            "email": f"facade-{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Fran",
            "last_name": "Case",
            "role_id": factories.ROLE,
        }
    )
    changed = await db.update_user(user.id, {"first_name": "Frances"})  # no version: applies
    assert changed.version == 2
    with pytest.raises(errors.ConflictError, match="changed since version 1"):
        await db.delete_user(user.id, expected_version=1)
    deleted = await db.delete_user(user.id, expected_version=2)
    assert deleted.deleted_at is not None


# --- 422: every error in one answer ---------------------------------------------------------


async def test_registration_lists_schema_reference_and_password_errors_at_once(
    client: httpx.AsyncClient,
) -> None:
    email = f"once-{uuid.uuid4().hex[:8]}@example.com"
    broken = {
        "email": email,
        "password": "password",
        "first_name": "",
        "last_name": "Doe",
        "role_id": "appraiser-x",
    }
    answer = await client.post("/auth/register", json=broken)
    _problem(answer, 422, "validation_error")
    messages = _messages(answer)
    assert set(messages) == {"first_name", "role_id", "password"}
    assert messages["role_id"] == "no role 'appraiser-x'"
    assert "too easy to guess" in messages["password"]
    # With the schema satisfied, the role and the password still come together.
    answer = await client.post("/auth/register", json=broken | {"first_name": "Jane"})
    assert set(_messages(_ok_422(answer))) == {"role_id", "password"}
    # And once all is well, the account is made.
    fixed = broken | {"first_name": "Jane", "password": PASSWORD, "role_id": "real-estate-agent"}
    assert (await client.post("/auth/register", json=fixed)).status_code == 201


def _ok_422(answer: httpx.Response) -> httpx.Response:
    _problem(answer, 422, "validation_error")
    return answer


async def test_a_resource_lists_schema_and_reference_errors_at_once(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    admin = await sign_up(admin=True)
    nobody = uuid.uuid4()
    user = await client.post(
        "/api/v1/users",
        json={"email": "not-an-email", "first_name": "A", "last_name": "B", "role_id": "nope-x"},
        headers=admin.headers,
    )
    assert _messages(_ok_422(user)).keys() == {"email", "role_id"}
    assert _messages(user)["role_id"] == "no role 'nope-x'"
    task = await client.post(
        "/api/v1/tasks",
        json=task_body(admin, title="", user_id=str(nobody), priority="urgent-ish"),
        headers=admin.headers,
    )
    messages = _messages(_ok_422(task))
    assert messages.keys() == {"title", "priority", "user_id"}
    assert messages["user_id"] == f"no user with id {nobody}"


async def test_the_facade_lists_schema_and_reference_errors_at_once(db: DatabaseService) -> None:
    with pytest.raises(errors.ValidationError) as refused:
        await db.create_user(
            {"email": "not-an-email", "first_name": "A", "last_name": "B", "role_id": "nope-x"}
        )
    assert {e.field: e.message for e in refused.value.errors}.keys() == {"email", "role_id"}
    assert {e.field: e.message for e in refused.value.errors}["role_id"] == "no role 'nope-x'"


async def test_malformed_json_is_said_in_words(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    me = await sign_up()
    sent = b'{"email": "x@example.com" "password": "x"}'
    with pytest.raises(json.JSONDecodeError) as parsed:
        json.loads(sent)
    assert (parsed.value.lineno, parsed.value.colno) == (1, 27)
    answer = await client.post(
        "/auth/register", content=sent, headers={"content-type": "application/json"}
    )
    assert _messages(_ok_422(answer)) == {
        "(body)": "the body is not valid JSON: Expecting ',' delimiter at line 1 column 27"
    }
    lines = b'{\n  "title": "Call",\n  "tags": ["a",,]\n}'
    answer = await client.post(
        "/api/v1/tasks", content=lines, headers=me.headers | {"content-type": "application/json"}
    )
    (message,) = _messages(_ok_422(answer)).values()
    assert message == "the body is not valid JSON: Expecting value at line 3 column 16"


async def test_field_paths_have_no_prefix(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    me = await sign_up()
    answer = await client.post(
        "/auth/register",
        json={
            "email": "x@example.com",
            "password": PASSWORD,
            "first_name": "Jane",
            "last_name": "Doe",
            "role_id": "real-estate-agent",
            "profile": {"phone": "call me"},
        },
    )
    assert list(_messages(_ok_422(answer))) == ["profile.phone"]
    listed = await client.get("/api/v1/tasks", params={"limit": 0}, headers=me.headers)
    assert list(_messages(_ok_422(listed))) == ["limit"]
    header = await client.patch(
        f"/api/v1/tasks/{uuid.uuid4()}",
        json={"title": "x"},
        headers=me.headers | {"If-Match": "yesterday"},
    )
    assert list(_messages(_ok_422(header))) == ["If-Match"]


# --- messages name what the user knows ---------------------------------------------------

TABLES = sorted(Base.metadata.tables)


def _no_table_named(answer: httpx.Response) -> None:
    text = answer.text
    for table in TABLES:
        if "_" in table:
            assert table not in text, (table, text)
    assert " row " not in text and "rows row" not in text, text


async def test_unknown_ids_are_named_as_sent_never_as_tables(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    admin, me = await sign_up(admin=True), await sign_up()
    nobody = uuid.uuid4()
    surfaces = [
        (
            await client.post(
                "/auth/register",
                json={
                    "email": f"who-{uuid.uuid4().hex[:8]}@example.com",
                    "password": PASSWORD,
                    "first_name": "Jane",
                    "last_name": "Doe",
                    "role_id": "appraiser-x",
                },
            ),
            "role_id",
            "no role 'appraiser-x'",
        ),
        (
            await client.post(
                "/api/v1/users",
                json={"email": "new@example.com", "first_name": "A", "last_name": "B"}
                | {"role_id": "appraiser-x"},
                headers=admin.headers,
            ),
            "role_id",
            "no role 'appraiser-x'",
        ),
        (
            await client.post(
                "/api/v1/tasks", json=task_body(me, role_id="appraiser-x"), headers=me.headers
            ),
            "role_id",
            "no role 'appraiser-x'",
        ),
        (
            await client.post(
                "/api/v1/tasks", json=task_body(admin, user_id=str(nobody)), headers=admin.headers
            ),
            "user_id",
            f"no user with id {nobody}",
        ),
        (
            await client.post(
                "/api/v1/document-instances",
                json={"template_id": str(nobody), "user_id": str(me.id), "role_id": me.role_id},
                headers=me.headers,
            ),
            "template_id",
            f"no document template with id {nobody}",
        ),
    ]
    task = await client.post("/api/v1/tasks", json=task_body(me), headers=me.headers)
    surfaces.append(
        (
            await client.patch(
                f"/api/v1/tasks/{task.json()['id']}",
                json={"user_id": str(nobody), "version": 1},
                headers=me.headers,
            ),
            "user_id",
            f"no user with id {nobody}",
        )
    )
    for answer, field, message in surfaces:
        assert _messages(_ok_422(answer))[field] == message, answer.text
        _no_table_named(answer)


# --- 409: a duplicate names its field ---------------------------------------------------------


def _duplicate(answer: httpx.Response, field: str) -> None:
    problem = _problem(answer, 409, "conflict")
    assert problem["field"] == field
    assert problem["errors"] == [{"field": field, "message": "is already in use", "type": "unique"}]
    _no_table_named(answer)


async def test_a_duplicate_is_a_409_conflict_naming_the_field_on_every_surface(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    admin, me = await sign_up(admin=True), await sign_up()
    again = await client.post(
        "/auth/register",
        json={
            "email": me.email.upper(),
            "password": PASSWORD,
            "first_name": "Pat",
            "last_name": "Again",
            "role_id": "real-estate-agent",
        },
    )
    _duplicate(again, "email")
    by_admin = await client.post(
        "/api/v1/users",
        json={"email": me.email, "first_name": "Pat", "last_name": "Twice"}
        | {"role_id": "real-estate-agent"},
        headers=admin.headers,
    )
    _duplicate(by_admin, "email")
    with pytest.raises(errors.DuplicateError) as duplicate:
        await api_db.create_user(
            {"email": me.email, "first_name": "P", "last_name": "T", "role_id": "real-estate-agent"}
        )
    assert duplicate.value.field == "email"

    slug = f"elm-{uuid.uuid4().hex[:8]}"
    made = await client.post(
        "/api/v1/organizations", json={"name": "Elm Realty", "slug": slug}, headers=admin.headers
    )
    assert made.status_code == 201, made.text
    taken = await client.post(
        "/api/v1/organizations", json={"name": "Elm Again", "slug": slug}, headers=admin.headers
    )
    _duplicate(taken, "slug")


# --- 403: the permission that was missing ----------------------------------------------------


async def test_a_refusal_names_the_missing_permission(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    me, admin = await sign_up(), await sign_up(admin=True)
    for_someone = await client.post(
        "/api/v1/tasks", json=task_body(me, user_id=str(admin.id)), headers=me.headers
    )
    problem = _problem(for_someone, 403, "permission_denied")
    assert problem["permission"] == "task:create:any"
    assert "you need the permission 'task:create:any' to create this task" in problem["detail"]
    assert "you hold task:create:own" in problem["detail"]
    promote = await client.patch(
        f"/api/v1/users/{me.id}",
        json={"role_id": "mortgage-broker", "version": 1},
        headers=me.headers,
    )
    problem = _problem(promote, 403, "permission_denied")
    assert problem["permission"] == "user:update:any"
    assert "'user:update:any'" in problem["detail"]
    deleted = await client.get(
        "/api/v1/tasks", params={"include_deleted": "true"}, headers=me.headers
    )
    assert _problem(deleted, 403, "permission_denied")["permission"] == "administrator"


# --- the OpenAPI document says so ---------------------------------------------------------------

UNVERSIONED = ("/api/v1/analytics-metrics/", "/api/v1/role-permissions/", "/api/v1/settings")


async def test_the_openapi_document_lists_409_and_428_where_they_happen(
    api_db: DatabaseService,
) -> None:
    document = create_app(api_db, settings()).openapi()
    changes = creates = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if method in ("patch", "delete") and path.startswith("/api/v1/"):
                if path.startswith(UNVERSIONED):
                    assert "428" not in responses, (method, path)
                    continue
                changes += 1
                assert {"409", "428"} <= responses.keys(), (method, path)
                assert "if-match" in {p["name"].lower() for p in operation["parameters"]}, path
            if method == "post" and path.startswith("/api/v1/") and "{" not in path:
                if path.endswith(("/read-all", "/accept")):
                    continue
                creates += 1
                assert "409" in responses, path
    assert changes > 30 and creates > 20
    register = document["paths"]["/auth/register"]["post"]["responses"]
    assert "409" in register and "unique" in register["409"]["description"]
    problem = document["components"]["schemas"]["Problem"]["properties"]
    assert {"permission", "field", "errors"} <= problem.keys()
