"""The design document's usage examples, translated, run as written."""

from __future__ import annotations

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import ConflictError, NotFoundError, ValidationError
from dreamery.core.pagination import Page

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
async def db(fresh_seeded_url: str) -> DatabaseService:
    async with DatabaseService(fresh_seeded_url) as service:
        yield service  # type: ignore[misc]


async def test_the_design_examples(db: DatabaseService) -> None:
    john = await db.create_user(
        {
            "email": "john@example.com",
            "first_name": "John",
            "last_name": "Doe",
            "role_id": "acquisition-specialist",
            "is_active": True,
        }
    )
    assert john.email == "john@example.com"
    assert john.version == 1

    page = await db.find_users(role_id="acquisition-specialist")
    assert isinstance(page, Page)
    assert [u.id for u in page.items] == [john.id]
    assert page.next_cursor is None

    hits = await db.search_users("John", "acquisition-specialist")
    assert [u.id for u in hits] == [john.id]
    assert [u.id for u in await db.search_users("john")] == [john.id]  # any case, SQLite too

    workflow = await db.create_workflow(
        {
            "name": "Property Inspection Workflow",
            "description": "Standard workflow for property inspections",
            "role_id": "commercial-inspector",
            "is_active": True,
        }
    )
    inspector_workflows = await db.find_workflows_by_role("commercial-inspector")
    assert workflow.id in {w.id for w in inspector_workflows}

    as_john = db.acting_as(john.id)
    me = await as_john.find_user_by_id(john.id)
    assert me.id == john.id
    assert (await db.health_check())["status"] == "healthy"


async def test_original_operations_exist(db: DatabaseService) -> None:
    jane = await db.create_user(
        {
            "email": "Jane@Example.com",
            "first_name": "Jane",
            "last_name": "Smith",
            "role_id": "real-estate-attorney",
            "profile": {"company": "Smith Law", "specialties": ["1031"]},
        }
    )
    assert (await db.find_user_by_email("jane@example.com")).id == jane.id
    updated = await db.update_user(jane.id, {"first_name": "Janet", "version": jane.version})
    assert updated.first_name == "Janet"
    assert updated.version == jane.version + 1
    with pytest.raises(ConflictError):
        await db.update_user(jane.id, {"last_name": "Stale", "version": jane.version})

    roles = await db.find_roles_by_category("legal-services")
    assert {r.id for r in roles} == {"real-estate-attorney", "estate-planning-attorney"}
    templates = await db.find_document_templates_by_role("acquisition-specialist")
    assert "purchase-agreement-template" in {t.slug for t in templates}

    task = await db.create_task(
        {
            "title": "Review title commitment",
            "role_id": "real-estate-attorney",
            "user_id": str(jane.id),
        }
    )
    assert [t.id for t in await db.find_tasks_by_user(jane.id)] == [task.id]
    done = await db.update_task_status(task.id, "completed")
    assert done.status == "completed"
    assert done.completed_at is not None
    reopened = await db.update_task_status(task.id, "in_progress")
    assert reopened.completed_at is None
    with pytest.raises(ConflictError, match="cannot become"):
        await db.update_task_status(
            (await db.update_task_status(task.id, "cancelled")).id, "completed"
        )

    await db.create_analytics_metric(
        {
            "role_id": "real-estate-attorney",
            "user_id": str(jane.id),
            "metric": "matters_closed",
            "value": 3,
            "unit": "count",
            "category": "performance",
        }
    )
    assert len(await db.find_metrics_by_role("real-estate-attorney", "performance")) == 1
    assert await db.find_metrics_by_role("real-estate-attorney", "financial") == []

    requirement = (await db.find_compliance_requirements(role_id="real-estate-attorney")).items[0]
    await db.create_compliance_record(
        {"requirement_id": str(requirement.id), "user_id": str(jane.id)}
    )
    records = await db.find_compliance_records_by_user(jane.id)
    assert records[0].requirement.id == requirement.id

    deleted = await db.delete_user(jane.id)
    assert deleted.deleted_at is not None
    with pytest.raises(NotFoundError):
        await db.find_user_by_id(jane.id)
    assert (await db.find_user_by_id(jane.id, include_deleted=True)).id == jane.id
    profile_page = await db.find_profiles(user_id=jane.id, include_deleted=True)
    assert profile_page.items[0].deleted_at is not None
    restored = await db.restore_user(jane.id)
    assert restored.deleted_at is None
    assert (await db.find_profiles(user_id=jane.id)).items[0].deleted_at is None


async def test_bad_input_names_the_field(db: DatabaseService) -> None:
    with pytest.raises(ValidationError) as caught:
        await db.create_user(
            {
                "email": "not-an-email",
                "first_name": "",
                "last_name": "X",
                "role_id": "acquisition-specialist",
                "nickname": "x",
            }
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"email", "first_name", "nickname"}

    with pytest.raises(ValidationError) as missing:
        await db.create_user(
            {
                "email": "a@example.com",
                "first_name": "A",
                "last_name": "B",
                "role_id": "no-such-role",
            }
        )
    assert [e.field for e in missing.value.errors] == ["role_id"]

    await db.create_user(
        {"email": "dup@example.com", "first_name": "A", "last_name": "B", "role_id": "buyer"}
    )
    with pytest.raises(ValidationError) as duplicate:
        await db.create_user(
            {"email": "DUP@example.com", "first_name": "C", "last_name": "D", "role_id": "buyer"}
        )
    assert [e.field for e in duplicate.value.errors] == ["email"]
