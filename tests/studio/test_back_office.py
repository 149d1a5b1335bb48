"""The studio reads like a back office: rows and references by their labels, lists of the
columns their domains chose, related rows counted, people found by their role's name,
widgets in their places, field errors in words and forms that never overwrite blindly."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from dreamery import DatabaseService
from dreamery.core.errors import ValidationError
from tests.studio.conftest import form_token, make_user, same_site

pytestmark = pytest.mark.usefixtures("backend")

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def label(user: Any) -> str:
    return f"{user.first_name} {user.last_name} · {user.email}"


def link_texts(page: str) -> list[str]:
    """The text of every link on the page, unescaped and trimmed."""
    found = re.findall(r"<a\b[^>]*>(.*?)</a>", page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def detail_title(page: str) -> str:
    found = re.search(r"<strong data-studio-title>(.*?)</strong>", page, re.S)
    assert found, "the detail page has no title"
    return html.unescape(found.group(1)).strip()


def related_counts(page: str) -> dict[str, int]:
    found = re.findall(r'data-studio-related="([^"]+)".*?data-studio-count="(\d+)"', page, re.S)
    return {html.unescape(name): int(count) for name, count in found}


@contextmanager
def statements(db: DatabaseService) -> Iterator[list[str]]:
    """Every SQL statement the service sends meanwhile."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def record_of(db: DatabaseService, person: Any) -> Any:
    """A compliance record for the first requirement of the person's role."""
    requirements = (await db.find_compliance_requirements(role_id=person.role_id)).items
    assert requirements, f"the catalogue gives {person.role_id} no requirement"
    return await db.create_compliance_record(
        {"requirement_id": str(requirements[0].id), "user_id": str(person.id)}
    )


# --- labels -----------------------------------------------------------------------------------


async def test_references_read_as_labels_not_ids(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    person = await make_user(
        studio_db, password=None, first_name="Catherine", role_id="residential-appraiser"
    )
    record = await record_of(studio_db, person)
    requirement = await studio_db.find_compliance_requirement_by_id(record.requirement_id)

    page = await client.get(
        "/studio/compliance-records/list", params={"filter": f"user_id__eq={person.id}"}
    )
    assert page.status_code == 200, page.text
    texts = link_texts(page.text)
    assert label(person) in texts
    assert requirement.name in texts
    assert not [text for text in texts if UUID.fullmatch(text)], "a link reads as a raw id"
    # The filter pill names the person, not their id.
    pills = re.findall(r'aria-label="Remove this filter: ([^"]+)"', page.text)
    assert [html.unescape(p) for p in pills] == [f"User: is {label(person)}"]

    users = await client.get("/studio/users/list", params={"q": person.last_name})
    assert "Residential Appraiser" in link_texts(users.text)  # the role by its name


async def test_a_page_resolves_each_referenced_table_in_one_query(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    roles = ("residential-appraiser", "real-estate-agent", "commercial-appraiser")
    people = [await make_user(studio_db, password=None, role_id=role) for role in roles]
    for person in people:
        await record_of(studio_db, person)
    with statements(studio_db) as sent:
        page = await client.get("/studio/compliance-records/list", params={"page_size": 100})
    assert page.status_code == 200
    assert all(label(person) in link_texts(page.text) for person in people)
    requirement_reads = [s for s in sent if "FROM compliance_requirements" in s]
    assert len(requirement_reads) == 1, requirement_reads
    user_batches = [s for s in sent if "FROM users" in s and " IN (" in s]
    assert len(user_batches) == 1, user_batches


async def test_detail_pages_are_titled_by_label_and_count_related_rows(
    client: httpx.AsyncClient, studio_db: DatabaseService, admin: Any
) -> None:
    person = await make_user(
        studio_db, password=None, role_id="residential-appraiser", profile={"company": "Co"}
    )
    for n in range(2):
        await studio_db.create_task(
            {"title": f"Inspect {n}", "role_id": person.role_id, "user_id": str(person.id)}
        )
    record_row = await record_of(studio_db, person)

    page = await client.get("/studio/users/detail", params={"pk": str(person.id)})
    assert page.status_code == 200
    assert detail_title(page.text) == label(person)
    assert f"<title>{html.escape(label(person))} · Users" in page.text
    counts = related_counts(page.text)
    assert counts["Tasks (user id)"] == 2
    assert counts["Compliance records (user id)"] == 1
    assert counts["Document instances (user id)"] == 0
    assert counts["Profiles (user id)"] == 1

    # A row with no name of its own reads as what it points to.
    record = await client.get(
        "/studio/compliance-records/detail", params={"pk": str(record_row.id)}
    )
    requirement = await studio_db.find_compliance_requirement_by_id(record_row.requirement_id)
    assert detail_title(record.text) == f"{requirement.name} · {label(person)}"


async def test_the_audit_trail_names_its_actors(
    client: httpx.AsyncClient, studio_db: DatabaseService, admin: Any
) -> None:
    person = await make_user(studio_db, password=None, profile={"company": "Old Co"})
    profile = (await studio_db.find_profiles(user_id=person.id, limit=1)).items[0]
    await studio_db.acting_as(admin.id).update_profile(profile.id, {"company": "New Co"})
    page = await client.get(
        "/studio/audit-logs/list",
        params={"filter": f'resource__eq=profile AND resource_id__eq="{profile.id}"'},
    )
    assert page.status_code == 200
    texts = link_texts(page.text)
    assert label(admin) in texts
    assert str(admin.id) not in texts


# --- lists ------------------------------------------------------------------------------------


async def test_lists_show_the_columns_their_domain_chose(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    await record_of(studio_db, await make_user(studio_db, password=None))
    page = await client.get("/studio/compliance-records/list")
    columns = re.findall(r'<td data-column="([a-z_]+)"', page.text)
    assert list(dict.fromkeys(columns)) == [
        "requirement_id",
        "user_id",
        "status",
        "expires_at",
        "verified_at",
    ]
    # The Columns menu still offers every field, and a filter on a hidden one works.
    assert 'value="review_note"' in page.text
    hidden = await client.get(
        "/studio/compliance-records/list", params={"filter": "status__eq=pending"}
    )
    assert hidden.status_code == 200
    wider = await client.get(
        "/studio/compliance-records/list", params={"cols": "user_id,notes,status"}
    )
    shown = re.findall(r'<td data-column="([a-z_]+)"', wider.text)
    assert list(dict.fromkeys(shown)) == ["user_id", "status", "notes"]


async def test_searching_users_for_a_role_name_finds_its_holders(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    residential = await make_user(studio_db, password=None, role_id="residential-appraiser")
    commercial = await make_user(studio_db, password=None, role_id="commercial-appraiser")
    agent = await make_user(studio_db, password=None)
    page = await client.get("/studio/users/list", params={"q": "appraiser", "page_size": 100})
    assert page.status_code == 200
    assert residential.email in page.text
    assert commercial.email in page.text
    assert agent.email not in page.text

    found = await studio_db.search_users("Commercial Appraiser", limit=100)
    assert commercial.id in {user.id for user in found}
    assert residential.id not in {user.id for user in found}


async def test_dashboard_widgets_list_by_position(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    def widget(title: str, x: int, y: int) -> dict[str, Any]:
        return {"widget_type": "kpi", "title": title, "metric": "m", "position_x": x,
                "position_y": y, "width": 3}  # fmt: skip

    board = await studio_db.create_dashboard(
        {
            "role_id": "buyer",
            "name": f"Board {uuid.uuid4().hex[:6]}",
            "widgets": [
                widget("third", 0, 1),
                widget("second", 6, 0),
                widget("fourth", 3, 1),
                widget("first", 0, 0),
            ],
        }
    )
    order = ["first", "second", "third", "fourth"]
    listed = await studio_db.find_dashboard_widgets(dashboard_id=board.id)
    assert [w.title for w in listed.items] == order
    page = await client.get(
        "/studio/dashboard-widgets/list", params={"filter": f"dashboard_id__eq={board.id}"}
    )
    titles = re.findall(r'<td data-column="title"[^>]*>\s*<span[^>]*>([a-z]+)</span>', page.text)
    assert titles == order, titles


# --- forms ------------------------------------------------------------------------------------


async def test_a_pattern_error_reads_in_words_everywhere(
    studio_db: DatabaseService, admin: Any
) -> None:
    person = await make_user(studio_db, password=None, profile={"company": "Co"})
    profile = (await studio_db.find_profiles(user_id=person.id, limit=1)).items[0]
    with pytest.raises(ValidationError) as refused:
        await studio_db.acting_as(admin.id).update_profile(profile.id, {"phone": "call me"})
    [problem] = refused.value.errors
    assert problem.field == "phone"
    assert problem.message == (
        "must be a phone number: digits, spaces and + ( ) . / -, 7 to 32 characters"
    )


async def test_an_edit_form_without_its_version_saves_nothing(
    client: httpx.AsyncClient, studio_db: DatabaseService
) -> None:
    person = await make_user(studio_db, password=None, profile={"company": "Kept Co"})
    profile = (await studio_db.find_profiles(user_id=person.id, limit=1)).items[0]
    form = await client.get("/studio/profiles/edit", params={"pk": str(profile.id)})
    assert f'name="_version" value="{profile.version}"' in form.text
    refused = await client.post(
        "/studio/profiles/edit",
        params={"pk": str(profile.id)},
        data={
            "company": "Blind Co",
            "experience": str(profile.experience),
            "csrftoken": form_token(form.text),
        },
        headers=same_site(),
    )
    assert refused.status_code == 422
    assert "did not say which version" in html.unescape(refused.text)
    # The form offered again carries the version to save against.
    assert f'name="_version" value="{profile.version}"' in refused.text
    kept = (await studio_db.find_profiles(user_id=person.id, limit=1)).items[0]
    assert (kept.company, kept.version) == ("Kept Co", profile.version)
