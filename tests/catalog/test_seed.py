"""Seeding: idempotent, an upsert of a changed catalogue, and realistic bulk demo data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from dreamery.catalog.data import default_catalog
from dreamery.catalog.demo import GENERATION_TICK, WRITE_CHUNK, DemoProgress, seed_demo
from dreamery.catalog.seed import seed_catalog
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.models import (
    AnalyticsMetric,
    AuditLog,
    Base,
    ComplianceRecord,
    Notification,
    Reminder,
    RolePermission,
    Task,
    User,
    UserProfile,
    UserRole,
    Workflow,
    WorkflowStep,
)
from dreamery.models.enums import TaskStatus

pytestmark = pytest.mark.usefixtures("backend")


async def _snapshot(engine: AsyncEngine) -> dict[str, tuple[int, Any, Any]]:
    """Rows, newest updated_at and highest version of every table."""
    out = {}
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [func.count()]
            columns.append(
                func.max(table.c.updated_at) if "updated_at" in table.c else func.count()
            )
            columns.append(func.max(table.c.version) if "version" in table.c else func.count())
            row = (await connection.execute(select(*columns).select_from(table))).one()
            out[table.name] = tuple(row)
    return out


@pytest.fixture
async def seeded(migrated_url: str) -> Any:
    engine = create_engine(migrated_url)
    sessions = create_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        first = await seed_catalog(session)
    yield engine, sessions, first
    await engine.dispose()


async def test_a_second_seed_changes_no_row(seeded: Any) -> None:
    engine, sessions, first = seeded
    assert first.inserted["user_roles"] == 89
    assert first.inserted["professional_categories"] == 18
    before = await _snapshot(engine)

    async with unit_of_work(sessions) as session:
        second = await seed_catalog(session)

    assert not second.changed, second.summary()
    assert sum(second.unchanged.values()) == sum(first.inserted.values())
    assert await _snapshot(engine) == before


async def test_a_changed_catalogue_is_applied_as_an_upsert(seeded: Any) -> None:
    _engine, sessions, _ = seeded
    catalog = default_catalog()
    first_category = catalog.categories[0]
    renamed_role = first_category.roles[0].model_copy(update={"name": "Acquisitions Lead"})
    starter = catalog.starter[first_category.id]
    workflow = starter.workflows[0]
    extra_step = workflow.steps[-1].model_copy(
        update={"name": "Post-closing review", "depends_on": []}
    )
    changed_workflow = workflow.model_copy(update={"steps": [*workflow.steps, extra_step]})
    dropped_workflow = starter.workflows[1]
    changed = type(catalog)(
        categories=[
            first_category.model_copy(update={"roles": [renamed_role, *first_category.roles[1:]]}),
            *catalog.categories[1:],
        ],
        permissions=catalog.permissions.model_copy(
            update={"roles": {**catalog.permissions.roles, "mortgage-underwriter": []}}
        ),
        starter={
            **catalog.starter,
            first_category.id: starter.model_copy(
                update={"workflows": [changed_workflow, *starter.workflows[2:]]}
            ),
        },
    )

    async with unit_of_work(sessions) as session:
        role_before = await session.get(UserRole, renamed_role.id)
        assert role_before is not None
        version_before, updated_before = role_before.version, role_before.updated_at
        report = await seed_catalog(session, changed)

    assert report.updated["user_roles"] == 1
    assert report.inserted["workflow_steps"] == 1
    assert report.deactivated["workflows"] == 1
    assert report.removed["role_permissions"] >= 1
    async with unit_of_work(sessions) as session:
        role_after = await session.get(UserRole, renamed_role.id, populate_existing=True)
        assert role_after is not None
        assert role_after.name == "Acquisitions Lead"
        assert role_after.version == version_before + 1
        assert role_after.updated_at > updated_before
        steps = await session.scalar(
            select(func.count())
            .select_from(WorkflowStep)
            .join(Workflow)
            .where(Workflow.slug == workflow.slug)
        )
        assert steps == len(workflow.steps) + 1
        gone = await session.scalar(select(Workflow).where(Workflow.slug == dropped_workflow.slug))
        assert gone is not None and gone.is_active is False
        underwriter_grants = set(
            await session.scalars(
                select(RolePermission.permission_id).where(
                    RolePermission.role_id == "mortgage-underwriter"
                )
            )
        )
        expected = changed.grants_for("lending-financing", "mortgage-underwriter")
        assert len(underwriter_grants) == len(expected)
        assert len(expected) < len(catalog.grants_for("lending-financing", "mortgage-underwriter"))
        audit = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.resource == "catalog")
        )
        assert audit == 2  # the first seed and this change; never an idle run

    async with unit_of_work(sessions) as session:
        again = await seed_catalog(session, changed)
    assert not again.changed


async def test_demo_progress_moves_while_generating_and_while_writing(
    session: AsyncSession,
) -> None:
    heard: list[DemoProgress] = []
    report = await seed_demo(session, 150, seed=11, progress=heard.append)
    assert report.users == 150 and heard and all(p.total == 150 for p in heard)
    generated = [p.generated for p in heard]
    written = [p.written for p in heard]
    # Neither count goes back, and both end with everyone.
    assert generated == sorted(generated) and written == sorted(written)
    assert (generated[-1], written[-1]) == (150, 150)
    # Generation is heard in three passes of every GENERATION_TICK people, before any row is
    # written; the writing is heard every WRITE_CHUNK rows, so more than once for a batch.
    before_writing = [p.generated for p in heard if p.written == 0]
    assert len(set(before_writing)) >= 3 * (150 // GENERATION_TICK) - 1
    assert before_writing[0] < 150
    assert sum(report.rows.values()) > 2 * WRITE_CHUNK
    partly_written = {p.written for p in heard if 0 < p.written < 150}
    assert len(partly_written) >= 2


async def test_demo_professionals(session: AsyncSession) -> None:
    users_before = await session.scalar(select(func.count()).select_from(User))
    report = await seed_demo(session, 150, seed=7)
    assert report.users == 150
    assert await session.scalar(select(func.count()).select_from(User)) == users_before + 150
    for model in (UserProfile, Task, Notification, AnalyticsMetric):
        assert report.rows[model.__tablename__] > 0
    assert report.rows["user_profiles"] == 150
    assert report.rows["analytics_metrics"] == 150 * 6
    # Every demo professional has had their welcome, as every new account does.
    welcomed = await session.scalar(
        select(func.count(func.distinct(Notification.user_id)))
        .join(User, User.id == Notification.user_id)
        .where(Notification.category == "welcome", User.email.like("%@demo.example.com"))
    )
    assert welcomed == 150

    demo = (
        await session.scalars(select(User).where(User.email.like("%@demo.example.com")).limit(500))
    ).all()
    assert len({u.email.lower() for u in demo}) == len(demo) == 150
    assert len({u.role_id for u in demo}) > 40  # spread across the catalogue

    oldest = await session.scalar(select(func.min(AnalyticsMetric.timestamp)))
    newest = await session.scalar(select(func.max(AnalyticsMetric.timestamp)))
    assert isinstance(oldest, datetime) and oldest.tzinfo is not None
    assert newest is not None and (newest - oldest).days >= 60

    done = (await session.scalars(select(Task).where(Task.status == TaskStatus.COMPLETED))).all()
    assert done and all(t.completed_at is not None for t in done)
    open_tasks = await session.scalar(
        select(func.count()).select_from(Task).where(Task.completed_at.is_(None))
    )
    reminders = await session.scalar(select(func.count()).select_from(Reminder))
    assert reminders and open_tasks and reminders <= open_tasks
    records = await session.scalar(select(func.count()).select_from(ComplianceRecord))
    assert records and records > 0
