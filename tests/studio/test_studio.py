"""The studio over HTTP in-process: sign-in, lists, search, forms, delete and restore, CSRF,
the audit view and CSV export, every change made through the service layer."""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from itsdangerous import TimestampSigner
from sqlalchemy import text

from dreamery import DatabaseService
from dreamery.core.config import Settings
from dreamery.studio.security import SESSION_COOKIE, SESSION_SECONDS
from tests.studio.conftest import (
    ORIGIN,
    PASSWORD,
    ajax,
    client_for,
    form_token,
    make_user,
    same_site,
    sign_in,
    studio_client,
)

pytestmark = pytest.mark.usefixtures("backend")


def field_error(html: str, name: str) -> str | None:
    found = re.search(rf'id="{name}-error">([^<]*)<', html)
    return found.group(1).strip() if found else None


async def profile_of(db: DatabaseService, user_id: Any) -> Any:
    return (await db.find_profiles(user_id=user_id, limit=1)).items[0]


async def edit_profile(client: httpx.AsyncClient, profile: Any, **changes: Any) -> httpx.Response:
    """Submit the profile's edit form as the browser does: every field, the version it
    showed and the form token."""
    page = await client.get("/studio/profiles/edit", params={"pk": str(profile.id)})
    assert page.status_code == 200, page.text
    version = re.search(r'name="_version" value="(\d+)"', page.text)
    assert version, "the edit form carries no version"
    values = {
        "phone": profile.phone or "",
        "company": profile.company or "",
        "license_number": profile.license_number or "",
        "specialties": list(profile.specialties),
        "experience": str(profile.experience),
        "bio": profile.bio or "",
        "avatar": profile.avatar or "",
    } | changes
    return await client.post(
        "/studio/profiles/edit",
        params={"pk": str(profile.id)},
        data={**values, "_version": version.group(1), "csrftoken": form_token(page.text)},
        headers=same_site(),
    )


# --- signing in -------------------------------------------------------------------------------


async def test_every_page_asks_to_sign_in_first(anonymous: httpx.AsyncClient) -> None:
    for path in ("/studio/", "/studio/users/list", "/studio/audit-logs/list"):
        page = await anonymous.get(path)
        assert page.status_code == 303, path
        assert page.headers["location"].startswith(f"{ORIGIN}/studio/login?next=")
    login = await anonymous.get("/studio/login")
    assert login.status_code == 200
    assert 'type="email"' in login.text
    assert "administrators" in login.text


async def test_wrong_password_is_refused(anonymous: httpx.AsyncClient, admin: Any) -> None:
    refused = await sign_in(anonymous, admin.email, "not the password at all")
    assert refused.status_code == 400
    assert "wrong email or password" in refused.text
    assert (await anonymous.get("/studio/users/list")).status_code == 303


async def test_a_professional_who_is_not_an_administrator_is_refused(
    anonymous: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    professional = await make_user(studio_db)
    refused = await sign_in(anonymous, professional.email)
    assert refused.status_code == 400
    assert f"{professional.email} is not an administrator" in refused.text
    assert "dreamery_studio" not in anonymous.cookies
    assert (await anonymous.get("/studio/users/list")).status_code == 303


async def test_the_session_cookie_is_strict_http_only_and_limited(
    anonymous: httpx.AsyncClient, admin: Any
) -> None:
    signed_in = await sign_in(anonymous, admin.email)
    cookie = next(
        value
        for name, value in signed_in.headers.multi_items()
        if name == "set-cookie" and value.startswith("dreamery_studio=")
    ).lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/studio" in cookie
    assert "max-age=28800" in cookie
    assert "secure" not in cookie  # development; production adds it


async def test_an_administrator_demoted_meanwhile_is_signed_out(
    anonymous: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    demoted = await make_user(studio_db, admin=True)
    assert (await sign_in(anonymous, demoted.email)).status_code == 303
    assert (await anonymous.get("/studio/users/list")).status_code == 200
    await studio_db.update_user(demoted.id, {"is_admin": False})
    page = await anonymous.get("/studio/users/list")
    assert page.status_code == 303
    assert "/studio/login" in page.headers["location"]


async def test_signing_out_ends_the_session(client: httpx.AsyncClient) -> None:
    home = await client.get("/studio/")
    out = await client.post(
        "/studio/logout", data={"csrftoken": form_token(home.text)}, headers=same_site()
    )
    assert out.status_code == 303
    assert (await client.get("/studio/users/list")).status_code == 303


# --- browsing ---------------------------------------------------------------------------------


async def test_an_administrator_lists_users_with_links_to_their_role(
    client: httpx.AsyncClient, admin: Any
) -> None:
    page = await client.get("/studio/users/list", params={"page_size": 100})
    assert page.status_code == 200
    assert admin.email in page.text
    assert f'href="{ORIGIN}/studio/roles/detail?pk=real-estate-agent' in page.text

    detail = await client.get("/studio/users/detail", params={"pk": str(admin.id)})
    assert detail.status_code == 200
    assert "Tasks (user id)" in detail.text  # the user's tasks, one click away
    assert "Audit trail of this record" in detail.text


async def test_every_table_has_a_list_page(client: httpx.AsyncClient) -> None:
    home = await client.get("/studio/")
    keys = re.findall(r'href="http://hub/studio/([a-z-]+)/list"', home.text)
    assert len(set(keys)) == 31
    assert {"case-key-dates", "workflow-runs", "step-runs", "run-events"} <= set(keys)
    for key in sorted(set(keys)):
        page = await client.get(f"/studio/{key}/list", params={"page_size": 10})
        assert page.status_code == 200, (key, page.text[:500])


async def test_search_finds_users_by_name_and_company(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    token = f"Quixote{uuid.uuid4().hex[:6]}"
    found = await make_user(
        studio_db, last_name=token, password=None, profile={"company": "Windmill Realty"}
    )
    other = await make_user(studio_db, password=None)
    page = await client.get("/studio/users/list", params={"q": token})
    assert page.status_code == 200
    assert found.email in page.text
    assert other.email not in page.text
    assert "ranked by relevance" in page.text


async def test_filters_and_sorting_go_to_the_facade(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    role = "mortgage-broker"
    made = [await make_user(studio_db, role_id=role, password=None) for _ in range(3)]
    page = await client.get(
        "/studio/users/list",
        params={"filter": f"role_id__eq={role}", "sort": "email__asc", "page_size": 100},
    )
    assert page.status_code == 200
    expected = await studio_db.find_users(role_id=role, sort="email", descending=False, limit=100)
    emails = [u.email for u in expected.items]
    shown = list(re.findall(r"studio\d+-[0-9a-f]{6}@example\.com", page.text))
    assert list(dict.fromkeys(shown)) == emails
    assert {u.email for u in made} <= set(emails)

    either = await client.get(
        "/studio/users/list", params={"filter": "is_admin__is_true OR is_active__is_true"}
    )
    assert either.status_code == 400
    assert "AND only" in either.text
    bad = await client.get("/studio/tasks/list", params={"filter": "user_id__eq=nobody"})
    assert bad.status_code == 400
    assert "not an id" in bad.text


async def test_pages_follow_the_facade_order(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    role = "property-manager"
    for _ in range(12):
        await make_user(studio_db, role_id=role, password=None)
    everyone = (await studio_db.find_users(role_id=role, limit=100, with_total=True)).items
    second = await client.get(
        "/studio/users/list",
        params={"filter": f"role_id__eq={role}", "page": 2, "page_size": 10},
    )
    assert second.status_code == 200
    ids = list(dict.fromkeys(re.findall(r'data-sa-pk="([0-9a-f-]{36})"', second.text)))
    assert ids == [str(u.id) for u in everyone[10:20]]
    assert f"of {len(everyone)} entries" in second.text


# --- forms ------------------------------------------------------------------------------------


async def test_a_profile_edit_shows_the_service_validation_error_next_to_the_field(
    client: httpx.AsyncClient, studio_db: DatabaseService, admin: Any
) -> None:
    user = await make_user(studio_db, password=None, profile={"company": "Acme Realty"})
    profile = await profile_of(studio_db, user.id)

    refused = await edit_profile(client, profile, experience="99", phone="not a phone")
    assert refused.status_code == 422
    assert "less than or equal to 50" in (field_error(refused.text, "experience") or "")
    phone_error = html.unescape(field_error(refused.text, "phone") or "")
    assert phone_error == (
        "must be a phone number: digits, spaces and + ( ) . / -, 7 to 32 characters"
    )
    assert "[0-9" not in refused.text  # the pattern itself is never shown
    assert (await profile_of(studio_db, user.id)).experience == profile.experience

    saved = await edit_profile(client, profile, company="Studio Realty")
    assert saved.status_code == 303, saved.text
    changed = await profile_of(studio_db, user.id)
    assert changed.company == "Studio Realty"
    assert changed.version == profile.version + 1
    trail = await studio_db.find_audit_logs(resource="profile", resource_id=str(profile.id))
    last = trail.items[0]
    assert last.actor == str(admin.id)
    assert last.changes == {"company": ["Acme Realty", "Studio Realty"]}


async def test_a_form_based_on_a_stale_version_is_a_conflict(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    user = await make_user(studio_db, password=None, profile={"company": "First Co"})
    profile = await profile_of(studio_db, user.id)
    page = await client.get("/studio/profiles/edit", params={"pk": str(profile.id)})
    await studio_db.update_profile(profile.id, {"company": "Someone Else Co"})
    stale = await client.post(
        "/studio/profiles/edit",
        params={"pk": str(profile.id)},
        data={
            "company": "My Co",
            "experience": str(profile.experience),
            "_version": str(profile.version),
            "csrftoken": form_token(page.text),
        },
        headers=same_site(),
    )
    assert stale.status_code == 422
    assert "changed by someone else since you opened it" in stale.text
    assert (await profile_of(studio_db, user.id)).company == "Someone Else Co"


async def test_create_goes_through_the_service(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    form = await client.get("/studio/categories/create")
    slug = f"studio-{uuid.uuid4().hex[:6]}"
    created = await client.post(
        "/studio/categories/create",
        data={
            "id": slug,
            "name": "Studio Category",
            "sort_order": "90",
            "is_active": "on",
            "csrftoken": form_token(form.text),
        },
        headers=same_site(),
    )
    assert created.status_code == 303, created.text
    assert (await studio_db.find_category_by_id(slug)).name == "Studio Category"

    again = await client.post(
        "/studio/categories/create",
        data={"id": "Not A Slug", "name": "", "csrftoken": form_token(form.text)},
        headers=same_site(),
    )
    assert again.status_code == 422
    assert field_error(again.text, "id")
    assert field_error(again.text, "name")


async def test_soft_delete_and_restore(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    user = await make_user(studio_db, password=None, profile={"company": "Gone Co"})
    profile = await profile_of(studio_db, user.id)
    pk = str(profile.id)
    await client.get("/studio/profiles/list")  # the page sets the form-token cookie

    deleted = await client.post(
        "/studio/_api/profiles/row-action",
        params={"name": "delete", "pk": pk},
        headers=ajax(client),
    )
    assert deleted.status_code == 200, deleted.text
    gone = await studio_db.find_profile_by_id(pk, include_deleted=True)
    assert gone.deleted_at is not None

    listed = await client.get("/studio/profiles/list", params={"page_size": 100})
    assert f'data-sa-pk="{pk}"' not in listed.text
    with_deleted = await client.get(
        "/studio/profiles/list",
        params={"filter": f"deleted_at__any AND user_id__eq={user.id}"},
    )
    assert f'data-sa-pk="{pk}"' in with_deleted.text
    detail = await client.get("/studio/profiles/detail", params={"pk": pk})
    assert "Deleted on" in detail.text

    restored = await client.post(
        "/studio/_api/profiles/row-action",
        params={"name": "restore", "pk": pk},
        headers=ajax(client),
    )
    assert restored.status_code == 200, restored.text
    assert (await studio_db.find_profile_by_id(pk)).deleted_at is None

    # Deleted again, then restored as a batch from the list of deleted rows.
    await client.post(
        "/studio/_api/profiles/row-action",
        params={"name": "delete", "pk": pk},
        headers=ajax(client),
    )
    batch = await client.post(
        "/studio/_api/profiles/action",
        params={"name": "restore", "pks": pk, "_list_query": "?filter=deleted_at__any"},
        headers=ajax(client),
    )
    assert batch.status_code == 200, batch.text
    assert (await studio_db.find_profile_by_id(pk)).deleted_at is None
    actions = [row.action for row in (await studio_db.find_audit_logs(resource_id=pk)).items]
    assert actions[:2] == ["restore", "delete"]


async def test_a_refused_delete_says_why(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    await client.get("/studio/roles/list")
    refused = await client.post(
        "/studio/_api/roles/row-action",
        params={"name": "delete", "pk": "real-estate-agent"},
        headers=ajax(client),
    )
    assert refused.status_code == 400
    assert "real-estate-agent" in refused.json()["msg"]
    assert (await studio_db.find_role_by_id("real-estate-agent")).id == "real-estate-agent"


# --- cross-site requests ----------------------------------------------------------------------


async def test_a_cross_origin_post_is_refused(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    user = await make_user(studio_db, password=None, profile={"company": "Safe Co"})
    profile = await profile_of(studio_db, user.id)
    page = await client.get("/studio/profiles/edit", params={"pk": str(profile.id)})
    forged = {"company": "Forged", "experience": "0", "csrftoken": form_token(page.text)}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/page"},
        {"Origin": "null"},
        {},
    ):
        refused = await client.post(
            "/studio/profiles/edit", params={"pk": str(profile.id)}, data=forged, headers=headers
        )
        assert refused.status_code == 403, headers
        assert "Refused" in refused.text
    same_origin_referer = await client.post(
        "/studio/_api/profiles/row-action",
        params={"name": "delete", "pk": str(profile.id)},
        headers={
            "Referer": f"{ORIGIN}/studio/profiles/list",
            **{"X-CSRFToken": ajax(client)["X-CSRFToken"]},
        },
    )
    assert same_origin_referer.status_code == 200
    assert (await profile_of_any(studio_db, profile.id)).company == "Safe Co"


async def profile_of_any(db: DatabaseService, profile_id: Any) -> Any:
    return await db.find_profile_by_id(profile_id, include_deleted=True)


async def test_a_post_without_the_form_token_is_refused(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    user = await make_user(studio_db, password=None, profile={"company": "Token Co"})
    profile = await profile_of(studio_db, user.id)
    refused = await client.post(
        "/studio/profiles/edit",
        params={"pk": str(profile.id)},
        data={"company": "Forged", "experience": "0"},
        headers=same_site(),
    )
    assert refused.status_code == 403
    assert (await profile_of(studio_db, user.id)).company == "Token Co"


async def test_a_token_planted_after_sign_in_is_refused(
    client: httpx.AsyncClient, studio_app: FastAPI
) -> None:
    session = client.cookies.get("dreamery_studio")
    assert session
    async with client_for(studio_app) as other:
        page = await other.get("/studio/login")  # a valid token and cookie, but not ours
        other.cookies.set("dreamery_studio", session)
        refused = await other.post(
            "/studio/logout", data={"csrftoken": form_token(page.text)}, headers=same_site()
        )
    assert refused.status_code == 403
    assert "sign in again" in refused.text


async def test_pages_are_not_framed_or_cached(client: httpx.AsyncClient) -> None:
    page = await client.get("/studio/users/list")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


def _script_sources(page: httpx.Response) -> set[str]:
    policy = page.headers["content-security-policy"]
    return set(next(part for part in policy.split(";") if "script-src" in part).split()[1:])


def _inline_code(page: str) -> list[str]:
    """What the browser would run inline: script elements that are not files or JSON data
    blocks, and event-handler attributes."""
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", page, re.DOTALL)
    handlers = re.findall(r'\son[a-z]+="([^"]*)"', page)
    code = [body for attributes, body in scripts if "application/json" not in attributes]
    return code + [html.unescape(handler) for handler in handlers]


def _sha(code: str) -> str:
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    return f"'sha256-{digest}'"


async def test_every_page_runs_only_code_its_policy_allowed_in_advance(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    """One policy for every page, whatever it shows (so nothing a page holds can add to it),
    and it allows each page's inline code: the list and the record start from studio.js."""
    person = await make_user(studio_db, password=None, last_name="<script>steal()</script>")
    pages = [
        await client.get("/studio/"),
        await client.get("/studio/users/list"),
        await client.get("/studio/users/detail", params={"pk": str(person.id)}),
        await client.get("/studio/users/edit", params={"pk": str(person.id)}),
        await client.get("/studio/audit-logs/list"),
    ]
    policies = {page.headers["content-security-policy"] for page in pages}
    assert len(policies) == 1, policies
    allowed = _script_sources(pages[0])
    for page in pages:
        assert page.status_code == 200, page.url
        assert all(_sha(code) in allowed for code in _inline_code(page.text)), page.url
    detail = pages[2].text
    assert 'id="studio-detail-page"' in detail and "studio.js" in detail
    assert "studio.js" in pages[1].text and "initListPage(" not in pages[1].text
    assert _sha("steal()") not in allowed


# --- audit trail ------------------------------------------------------------------------------


async def test_the_audit_view_shows_the_chain_verdict_and_filters(
    client: httpx.AsyncClient, studio_db: DatabaseService, admin: Any
) -> None:
    page = await client.get("/studio/audit-logs/list")
    assert page.status_code == 200
    assert re.search(r"Audit chain intact: [\d,]+ rows", page.text)
    assert "/studio/audit-logs/create" not in page.text  # read-only

    mine = await client.get(
        "/studio/audit-logs/list", params={"filter": f"actor__eq={admin.id} AND resource__eq=user"}
    )
    assert mine.status_code == 200
    assert "LOGIN" in mine.text
    since = await client.get(
        "/studio/audit-logs/list", params={"filter": "timestamp__gte=2999-01-01T00:00"}
    )
    assert "Showing 0 to 0 of 0 entries" in since.text or "No data" in since.text


async def test_the_audit_view_names_the_altered_row(fresh_seeded_url: str) -> None:
    async with DatabaseService(fresh_seeded_url) as db:
        admin = await make_user(db, admin=True)
        await tamper(db, "UPDATE audit_logs SET resource_id = 'tampered' WHERE seq = 2")
        async with studio_client(db) as http:
            assert (await sign_in(http, admin.email)).status_code == 303
            page = await http.get("/studio/audit-logs/list")
    assert "Audit chain broken at row #2" in page.text
    assert "was altered" in page.text


async def tamper(db: DatabaseService, statement: str) -> None:
    """Change a row as someone with direct database access could, around the triggers."""
    async with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            await connection.execute(text("DROP TRIGGER IF EXISTS audit_logs_no_update"))
        await connection.execute(text(statement))


# --- export -----------------------------------------------------------------------------------


async def export_csv(
    client: httpx.AsyncClient, key: str, list_query: dict[str, Any]
) -> list[list[str]]:
    """What "select all matching, then Export as CSV" downloads for a list page."""
    await client.get(f"/studio/{key}/list", params=list_query)
    response = await client.post(
        f"/studio/_api/{key}/action",
        params={"name": "export", "all": "1", "_list_query": "?" + urlencode(list_query)},
        data={"scope": "selected", "format": "csv", "csrftoken": ajax(client)["X-CSRFToken"]},
        headers=same_site(),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text)))


async def test_csv_export_has_every_matching_row_not_only_the_page(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    token = f"Exportson{uuid.uuid4().hex[:6]}"
    made = [await make_user(studio_db, last_name=token, password=None) for _ in range(12)]
    rows = await export_csv(client, "users", {"q": token, "page_size": 10})
    header, body = rows[0], rows[1:]
    assert {"Id", "Email", "First name", "Last name", "Role"} <= set(header)
    assert sorted(r[header.index("Email")] for r in body) == sorted(u.email for u in made)

    role = "residential-appraiser"
    for _ in range(3):
        await make_user(studio_db, role_id=role, password=None)
    filtered = await export_csv(client, "users", {"filter": f"role_id__eq={role}", "page_size": 10})
    expected = await studio_db.find_users(role_id=role, limit=1, with_total=True)
    assert len(filtered) - 1 == expected.total
    assert {r[filtered[0].index("Role")] for r in filtered[1:]} == {role}  # ids, to re-import


# --- named operations -------------------------------------------------------------------------


async def test_named_operations_are_the_row_actions_of_their_state(
    client: httpx.AsyncClient, studio_db: DatabaseService, admin: Any
) -> None:
    pro = await make_user(studio_db, password=None)
    requirement = (await studio_db.find_compliance_requirements(role_id=pro.role_id)).items[0]
    record = await studio_db.create_compliance_record(
        {"requirement_id": str(requirement.id), "user_id": str(pro.id)}
    )
    pk = str(record.id)
    detail = await client.get("/studio/compliance-records/detail", params={"pk": pk})
    assert detail.status_code == 200
    assert "operation-verify" in detail.text and "operation-fail" in detail.text
    assert "operation-resubmit" not in detail.text  # only a failed record is resubmitted
    edit = await client.get("/studio/compliance-records/edit", params={"pk": pk})
    assert 'name="status"' not in edit.text and 'name="verified_by"' not in edit.text

    verified = await client.post(
        "/studio/_api/compliance-records/row-action",
        params={"name": "operation-verify", "pk": pk},
        data={"note": "Checked in the studio."},
        headers=ajax(client),
    )
    assert verified.status_code == 200, verified.text
    after = await studio_db.find_compliance_record_by_id(pk)
    assert (after.status, after.verified_by, after.review_note) == (
        "verified",
        admin.id,
        "Checked in the studio.",
    )
    refused = await client.post(
        "/studio/_api/compliance-records/row-action",
        params={"name": "operation-fail", "pk": pk},
        data={"note": "Too late."},
        headers=ajax(client),
    )
    assert refused.status_code == 400
    assert "only a pending one" in refused.json()["msg"]

    task = await studio_db.create_task(
        {"title": "Studio task", "role_id": pro.role_id, "user_id": str(pro.id)}
    )
    form = await client.get("/studio/tasks/edit", params={"pk": str(task.id)})
    assert 'name="title"' in form.text and 'name="status"' not in form.text
    moved = await client.post(
        "/studio/_api/tasks/row-action",
        params={"name": "operation-status", "pk": str(task.id)},
        data={"status": "completed"},
        headers=ajax(client),
    )
    assert moved.status_code == 200, moved.text
    done = await studio_db.find_task_by_id(task.id)
    assert (done.status, done.completed_at is not None) == ("completed", True)
    trail = await studio_db.find_audit_logs(resource_id=str(task.id))
    assert trail.items[0].action == "change_status"
    assert trail.items[0].actor == str(admin.id)


async def test_a_named_operation_from_a_stale_page_is_refused(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    pro = await make_user(studio_db, password=None)
    requirement = (await studio_db.find_compliance_requirements(role_id=pro.role_id)).items[0]
    record = await studio_db.create_compliance_record(
        {"requirement_id": str(requirement.id), "user_id": str(pro.id)}
    )
    pk = str(record.id)
    page = await client.get("/studio/compliance-records/detail", params={"pk": pk})
    # The action's form (escaped into its button) keeps the version the page showed.
    assert 'name="_version" value="1"' in html.unescape(page.text)
    await studio_db.update_compliance_record(pk, {"notes": "changed meanwhile"})
    stale = await client.post(
        "/studio/_api/compliance-records/row-action",
        params={"name": "operation-verify", "pk": pk},
        data={"_version": "1", "note": "Looked fine."},
        headers=ajax(client),
    )
    assert stale.status_code == 400
    assert "changed since version 1" in stale.json()["msg"]
    assert (await studio_db.find_compliance_record_by_id(pk)).status == "pending"


# --- sessions that end ------------------------------------------------------------------------


def _cookie(client: httpx.AsyncClient) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value, "not signed in to the studio"
    return value


def _read_cookie(value: str) -> dict[str, Any]:
    """The session a studio cookie carries (it is signed, not encrypted)."""
    payload = TimestampSigner(Settings().signing_key()).unsign(value.encode())
    data: dict[str, Any] = json.loads(base64.b64decode(payload))
    return data


def _signed_cookie(session: dict[str, Any]) -> str:
    """A cookie the studio accepts as its own: signed with the hub's key, as Starlette does."""
    payload = base64.b64encode(json.dumps(session).encode())
    return TimestampSigner(Settings().signing_key()).sign(payload).decode()


async def _copy(studio_app: FastAPI, cookie: str) -> httpx.AsyncClient:
    thief = client_for(studio_app)
    thief.cookies.set(SESSION_COOKIE, cookie, path="/studio")
    return thief


async def test_a_cookie_copied_before_sign_out_is_refused_after_it(
    client: httpx.AsyncClient, studio_app: FastAPI
) -> None:
    async with await _copy(studio_app, _cookie(client)) as thief:
        assert (await thief.get("/studio/users/list")).status_code == 200
        home = await client.get("/studio/")
        out = await client.post(
            "/studio/logout", data={"csrftoken": form_token(home.text)}, headers=same_site()
        )
        assert out.status_code == 303
        page = await thief.get("/studio/users/list")
        assert page.status_code == 303
        assert "/studio/login" in page.headers["location"]


async def test_a_password_change_signs_the_studio_out(
    anonymous: httpx.AsyncClient, studio_app: FastAPI, studio_db: DatabaseService
) -> None:
    owner = await make_user(studio_db, admin=True)
    assert (await sign_in(anonymous, owner.email)).status_code == 303
    async with await _copy(studio_app, _cookie(anonymous)) as thief:
        assert (await thief.get("/studio/users/list")).status_code == 200
        await studio_db.acting_as(owner.id).change_password(PASSWORD, "a new long password 2")
        assert (await anonymous.get("/studio/users/list")).status_code == 303
        assert (await thief.get("/studio/users/list")).status_code == 303


async def test_an_idle_session_ends_and_stays_ended(
    client: httpx.AsyncClient, studio_app: FastAPI
) -> None:
    session = _read_cookie(_cookie(client))
    assert set(session) >= {"user_id", "session_id", "signed_in_at", "last_seen_at"}
    idle = Settings().studio_idle_minutes * 60
    stale = session | {"last_seen_at": int(time.time()) - idle - 5}
    async with await _copy(studio_app, _signed_cookie(stale)) as away:
        assert (await away.get("/studio/users/list")).status_code == 303
    # Idleness ended the session itself: the same cookie made fresh again is refused too.
    async with await _copy(studio_app, _signed_cookie(session)) as back:
        assert (await back.get("/studio/users/list")).status_code == 303
    assert (await client.get("/studio/users/list")).status_code == 303


async def test_no_session_outlives_its_eight_hours(
    client: httpx.AsyncClient, studio_app: FastAPI
) -> None:
    session = _read_cookie(_cookie(client))
    now = int(time.time())
    old = session | {"signed_in_at": now - SESSION_SECONDS - 5, "last_seen_at": now}
    async with await _copy(studio_app, _signed_cookie(old)) as late:
        assert (await late.get("/studio/users/list")).status_code == 303


async def test_a_session_opened_by_a_cookie_alone_is_refused(
    anonymous: httpx.AsyncClient, studio_app: FastAPI, admin: Any
) -> None:
    """Even with the hub's key, a cookie names a session only the database can vouch for."""
    now = int(time.time())
    forged = {
        "user_id": str(admin.id),
        "session_id": str(uuid.uuid4()),
        "signed_in_at": now,
        "last_seen_at": now,
    }
    async with await _copy(studio_app, _signed_cookie(forged)) as forger:
        assert (await forger.get("/studio/users/list")).status_code == 303


async def test_a_user_made_in_the_studio_has_a_profile_and_a_welcome(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    form = await client.get("/studio/users/create")
    assert form.status_code == 200, form.text
    email = f"studio-made-{uuid.uuid4().hex[:6]}@example.com"
    created = await client.post(
        "/studio/users/create",
        data={
            "email": email,
            "first_name": "Stu",
            "last_name": "Dio",
            "role_id": "title-agent",
            "is_active": "on",
            "csrftoken": form_token(form.text),
        },
        headers=same_site(),
    )
    assert created.status_code == 303, created.text
    user = await studio_db.find_user_by_email(email)
    assert len((await studio_db.find_profiles(user_id=user.id)).items) == 1
    welcome = await studio_db.find_notifications(user_id=user.id, category="welcome")
    assert [n.title for n in welcome.items] == ["Welcome to Dreamery Hub, Stu"]
    assert "Title Agent" in welcome.items[0].message
