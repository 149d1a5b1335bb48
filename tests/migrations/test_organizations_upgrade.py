"""A database seeded under the schema before organizations upgrades without losing a row:
everyone lands in a personal organization of their own, their rows with them, and the
grants that reached the whole hub are withdrawn."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select, text

from dreamery.core.db import create_engine
from dreamery.migrations import runner as migrations
from dreamery.models import Base

pytestmark = pytest.mark.usefixtures("backend")

BEFORE = "e5ac300016aa"  # the head before organizations
USERS = 5
OWNED = ["user_profiles", "tasks", "reminders", "notifications", "document_instances"]
OWNED += ["compliance_records", "analytics_metrics"]


def _rows(tables: dict[str, Any], user_ids: list[uuid.UUID]) -> dict[str, list[dict[str, Any]]]:
    """Rows of every tenant table, as the previous schema held them."""
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    stamp = {"created_at": now, "updated_at": now}
    versioned = {**stamp, "version": 1}
    role = "real-estate-agent"
    template_id, requirement_id = uuid.uuid4(), uuid.uuid4()
    rows: dict[str, list[dict[str, Any]]] = {
        "professional_categories": [
            {"id": "acquisition-disposition", "name": "Agents", "sort_order": 0, "is_active": True}
            | versioned
        ],
        "user_roles": [
            {
                "id": role,
                "name": "Real Estate Agent",
                "category_id": "acquisition-disposition",
                "sort_order": 0,
                "is_active": True,
            }
            | versioned
        ],
        "document_templates": [
            {
                "id": template_id,
                "name": "Offer",
                "role_id": role,
                "category": "contract",
                "content": "x",
                "template_version": "1.0",
                "is_active": True,
            }
            | versioned
        ],
        "compliance_requirements": [
            {
                "id": requirement_id,
                "name": "License",
                "role_id": role,
                "category": "licensing",
                "requirements": [],
                "frequency": "annually",
                "is_active": True,
            }
            | versioned
        ],
        "permissions": [
            {
                "id": uuid.uuid4(),
                "name": f"{resource}:read:any",
                "resource": resource,
                "action": "read",
                "scope": "any",
            }
            | versioned
            for resource in ("document_instance", "user")
        ],
        **{name: [] for name in [*OWNED, "users", "compliance_evidence", "role_permissions"]},
    }
    rows["role_permissions"] = [
        {"id": uuid.uuid4(), "role_id": role, "permission_id": p["id"]} | stamp
        for p in rows["permissions"]
    ]
    for n, user_id in enumerate(user_ids):
        rows["users"].append(
            {
                "id": user_id,
                "email": f"agent{n}@example.com",
                "first_name": "Ana",
                "last_name": f"Agent{n}",
                "role_id": role,
                "is_active": True,
                "is_admin": False,
                "search_text": f"ana agent{n}",
            }
            | versioned
        )
        mine = {"user_id": user_id}
        task_id, record_id = uuid.uuid4(), uuid.uuid4()
        rows["user_profiles"].append(
            {"id": uuid.uuid4(), "specialties": [], "experience": 1} | mine | versioned
        )
        rows["tasks"].append(
            {
                "id": task_id,
                "title": "Call",
                "role_id": role,
                "status": "pending",
                "priority": "low",
                "tags": [],
            }
            | mine
            | versioned
        )
        rows["reminders"].append(
            {
                "id": uuid.uuid4(),
                "task_id": task_id,
                "channel": "email",
                "scheduled_at": now,
                "is_active": True,
            }
            | mine
            | versioned
        )
        rows["notifications"].append(
            {
                "id": uuid.uuid4(),
                "title": "Hi",
                "message": "m",
                "type": "info",
                "category": "general",
                "is_read": False,
            }
            | mine
            | versioned
        )
        rows["document_instances"].append(
            {
                "id": uuid.uuid4(),
                "template_id": template_id,
                "role_id": role,
                "data": {},
                "status": "draft",
            }
            | mine
            | versioned
        )
        rows["compliance_records"].append(
            {"id": record_id, "requirement_id": requirement_id, "status": "pending"}
            | mine
            | versioned
        )
        rows["compliance_evidence"].append(
            {
                "id": uuid.uuid4(),
                "record_id": record_id,
                "file_name": "l.pdf",
                "location": "file:l.pdf",
                "content_type": "application/pdf",
                "size": 1,
                "uploaded_at": now,
            }
            | versioned
        )
        rows["analytics_metrics"].append(
            {
                "id": uuid.uuid4(),
                "role_id": role,
                "metric": "deals",
                "value": 1.0,
                "unit": "count",
                "category": "performance",
                "timestamp": now,
            }
            | mine
            | stamp
        )
    return rows


async def test_a_database_seeded_before_organizations_upgrades_without_losing_a_row(
    fresh_url: str,
) -> None:
    await migrations.upgrade(fresh_url, BEFORE)
    engine = create_engine(fresh_url)
    user_ids = [uuid.uuid4() for _ in range(USERS)]
    try:
        async with engine.begin() as connection:
            old = MetaData()
            await connection.run_sync(lambda sync: old.reflect(sync))
            assert "organization_id" not in old.tables["users"].columns
            rows = _rows(old.tables, user_ids)
            # Written with the models' column types (as the hub wrote them), in an order the
            # foreign keys accept, and only into the columns the previous schema had.
            for table in Base.metadata.sorted_tables:
                if rows.get(table.name):
                    assert all(
                        set(row) <= set(old.tables[table.name].columns.keys())
                        for row in rows[table.name]
                    )
                    await connection.execute(table.insert(), rows[table.name])
            before = {
                name: await connection.scalar(select(func.count()).select_from(old.tables[name]))
                for name in [*OWNED, "users", "compliance_evidence"]
            }

        await migrations.upgrade(fresh_url)
        assert await migrations.schema_drift(fresh_url) == []

        async with engine.connect() as connection:
            tables = Base.metadata.tables  # the schema is the models' now (no drift)
            for name, count in before.items():
                after = await connection.scalar(select(func.count()).select_from(tables[name]))
                assert after == count, name
            users, organizations = tables["users"], tables["organizations"]
            # Everyone owns a personal organization, whose id is theirs.
            people = (await connection.execute(select(users.c.id, users.c.organization_id))).all()
            assert {row.organization_id for row in people} == set(user_ids)
            assert all(row.id == row.organization_id for row in people)
            personal = await connection.scalar(
                select(func.count()).select_from(organizations).where(organizations.c.is_personal)
            )
            assert personal == USERS
            memberships = tables["memberships"]
            owners = await connection.execute(
                select(memberships.c.user_id).where(
                    memberships.c.org_role == "owner", memberships.c.status == "active"
                )
            )
            assert set(owners.scalars()) == set(user_ids)
            # Every row moved with its user; evidence with its record.
            for name in OWNED:
                table = tables[name]
                stray = await connection.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(table.c.organization_id.is_distinct_from(table.c.user_id))
                )
                assert stray == 0, name
            evidence, records = tables["compliance_evidence"], tables["compliance_records"]
            moved = await connection.scalar(
                select(func.count())
                .select_from(evidence.join(records, records.c.id == evidence.c.record_id))
                .where(evidence.c.organization_id == records.c.organization_id)
            )
            assert moved == USERS
            # Their roles stay verified; the hub-wide read of documents is withdrawn, the
            # directory's stays.
            verified = await connection.scalar(
                select(func.count()).select_from(users).where(users.c.role_verified_at.is_not(None))
            )
            assert verified == USERS
            grants = tables["role_permissions"].join(
                tables["permissions"],
                tables["permissions"].c.id == tables["role_permissions"].c.permission_id,
            )
            kept = await connection.execute(
                select(tables["permissions"].c.name).select_from(grants)
            )
            assert set(kept.scalars()) == {"user:read:any"}
            if connection.dialect.name == "sqlite":
                # The users' full-text index survived the table's rebuild.
                found = await connection.scalar(
                    text("SELECT count(*) FROM users_fts WHERE users_fts MATCH 'agent3'")
                )
                assert found == 1
    finally:
        await engine.dispose()
