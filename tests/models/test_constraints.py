"""What the database itself enforces, whatever code talks to it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Uuid, bindparam, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import (
    AnalyticsDashboard,
    AnalyticsMetric,
    ComplianceEvidence,
    ComplianceRecord,
    ComplianceRequirement,
    DashboardWidget,
    DocumentInstance,
    DocumentTemplate,
    DocumentVariable,
    Notification,
    Permission,
    ProfessionalCategory,
    Reminder,
    RolePermission,
    RunEvent,
    StepRun,
    Task,
    User,
    UserProfile,
    UserRole,
    ValidationRule,
    Workflow,
    WorkflowRun,
    WorkflowStep,
)
from tests import factories as make

pytestmark = pytest.mark.usefixtures("backend")


async def expect_integrity_error(session: AsyncSession, statement: Any) -> None:
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await session.execute(statement)


def row_id(value: uuid.UUID) -> Any:
    """An `:id` parameter typed as a UUID, so each database gets its own representation."""
    return bindparam("id", value, type_=Uuid())


async def count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --- uniqueness ---------------------------------------------------------------------------


async def test_email_is_unique_whatever_its_case(session: AsyncSession) -> None:
    await make.user(session, email="John.Doe@Example.com")
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await make.user(session, email="john.doe@example.COM")
    assert await count(session, User, func.lower(User.email) == "john.doe@example.com") == 1


async def test_a_user_has_at_most_one_profile(session: AsyncSession) -> None:
    owner = await make.user(session)
    await make.profile(session, user_id=owner.id)
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await make.profile(session, user_id=owner.id)


async def test_a_role_holds_a_permission_once(session: AsyncSession) -> None:
    link = await make.role_permission(session)
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await make.role_permission(
                session, role_id=link.role_id, permission_id=link.permission_id
            )


async def test_a_role_has_one_default_dashboard(session: AsyncSession) -> None:
    owner = await make.role(session)
    await make.dashboard(session, role_id=owner.id, is_default=True)
    await make.dashboard(session, role_id=owner.id, is_default=False)
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await make.dashboard(session, role_id=owner.id, is_default=True)


async def test_step_orders_are_unique_within_a_workflow(session: AsyncSession) -> None:
    first = await make.step(session, order=1)
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await make.step(session, workflow_id=first.workflow_id, order=1)


# --- delete rules -------------------------------------------------------------------------

Factory = Callable[..., Awaitable[Any]]

# (parent factory, child factory, child's foreign key, parent model, child model)
CASCADES: list[tuple[str, Factory, str, Any, Any]] = [
    ("user -> profile", make.profile, "user_id", User, UserProfile),
    ("workflow -> step", make.step, "workflow_id", Workflow, WorkflowStep),
    ("step -> rule", make.rule, "step_id", WorkflowStep, ValidationRule),
    ("template -> variable", make.variable, "template_id", DocumentTemplate, DocumentVariable),
    ("record -> evidence", make.evidence, "record_id", ComplianceRecord, ComplianceEvidence),
    ("dashboard -> widget", make.widget, "dashboard_id", AnalyticsDashboard, DashboardWidget),
    ("task -> reminder", make.reminder, "task_id", Task, Reminder),
    ("role -> role permission", make.role_permission, "role_id", UserRole, RolePermission),
    (
        "permission -> role permission",
        make.role_permission,
        "permission_id",
        Permission,
        RolePermission,
    ),
    ("user -> task", make.task, "user_id", User, Task),
    ("user -> notification", make.notification, "user_id", User, Notification),
    ("user -> document instance", make.instance, "user_id", User, DocumentInstance),
    ("user -> compliance record", make.record, "user_id", User, ComplianceRecord),
]


@pytest.mark.parametrize(
    ("factory", "foreign_key", "parent", "child"),
    [case[1:] for case in CASCADES],
    ids=[case[0] for case in CASCADES],
)
async def test_owned_children_are_deleted_with_their_parent(
    session: AsyncSession, factory: Factory, foreign_key: str, parent: Any, child: Any
) -> None:
    row = await factory(session)
    parent_id = getattr(row, foreign_key)
    await session.execute(delete(parent).where(parent.id == parent_id))
    assert await count(session, child, child.id == row.id) == 0


RESTRICTS: list[tuple[str, Factory, str, Any]] = [
    ("user -> role", make.user, "role_id", UserRole),
    ("record -> requirement", make.record, "requirement_id", ComplianceRequirement),
    ("instance -> template", make.instance, "template_id", DocumentTemplate),
    ("workflow -> role", make.workflow, "role_id", UserRole),
    ("role -> category", make.role, "category_id", ProfessionalCategory),
]


@pytest.mark.parametrize(
    ("factory", "foreign_key", "parent"),
    [case[1:] for case in RESTRICTS],
    ids=[case[0] for case in RESTRICTS],
)
async def test_references_that_must_not_dangle_block_the_delete(
    session: AsyncSession, factory: Factory, foreign_key: str, parent: Any
) -> None:
    if parent is UserRole and foreign_key == "role_id":
        owner = await make.role(session)
        row = await factory(session, role_id=owner.id)
    else:
        row = await factory(session)
    parent_id = getattr(row, foreign_key)
    await expect_integrity_error(session, delete(parent).where(parent.id == parent_id))
    assert await count(session, parent, parent.id == parent_id) == 1


SET_NULLS: list[tuple[str, Factory, str]] = [
    ("audit actor", make.audit, "user_id"),
    ("metric user", make.metric, "user_id"),
    ("task creator", make.task, "created_by"),
    ("record verifier", make.record, "verified_by"),
]


@pytest.mark.parametrize(
    ("factory", "foreign_key"), [case[1:] for case in SET_NULLS], ids=[c[0] for c in SET_NULLS]
)
async def test_history_outlives_its_subject(
    session: AsyncSession, factory: Factory, foreign_key: str
) -> None:
    subject = await make.user(session)
    row = await factory(session, **{foreign_key: subject.id})
    model = type(row)
    await session.execute(delete(User).where(User.id == subject.id))
    value = await session.scalar(select(getattr(model, foreign_key)).where(model.id == row.id))
    assert await count(session, model, model.id == row.id) == 1
    assert value is None


async def test_foreign_keys_are_enforced(session: AsyncSession) -> None:
    await expect_integrity_error(
        session,
        insert(User).values(
            email="x@example.com", first_name="X", last_name="Y", role_id="no-such-role"
        ),
    )


# --- enumerations and checks ----------------------------------------------------------------

ENUMS: list[tuple[Factory, Any, str]] = [
    (make.step, WorkflowStep, "kind"),
    (make.step, WorkflowStep, "case_role"),
    (make.workflow_run, WorkflowRun, "status"),
    (make.step_run, StepRun, "status"),
    (make.step_run, StepRun, "kind"),
    (make.run_event, RunEvent, "kind"),
    (make.rule, ValidationRule, "rule_type"),
    (make.template, DocumentTemplate, "category"),
    (make.variable, DocumentVariable, "var_type"),
    (make.instance, DocumentInstance, "status"),
    (make.requirement, ComplianceRequirement, "category"),
    (make.requirement, ComplianceRequirement, "frequency"),
    (make.record, ComplianceRecord, "status"),
    (make.metric, AnalyticsMetric, "category"),
    (make.widget, DashboardWidget, "widget_type"),
    (make.task, Task, "status"),
    (make.task, Task, "priority"),
    (make.reminder, Reminder, "channel"),
    (make.permission, Permission, "resource"),
    (make.permission, Permission, "action"),
    (make.permission, Permission, "scope"),
]


@pytest.mark.parametrize(
    ("factory", "model", "column"),
    ENUMS,
    ids=[f"{model.__tablename__}.{column}" for _, model, column in ENUMS],
)
async def test_every_enumeration_is_enforced_by_the_database(
    session: AsyncSession, factory: Factory, model: Any, column: str
) -> None:
    row = await factory(session)
    table = model.__tablename__
    await expect_integrity_error(
        session,
        text(f'UPDATE {table} SET "{column}" = :bad WHERE id = :id').bindparams(
            row_id(row.id),
            bad="zz",  # short enough for every column, so only the CHECK can refuse it
        ),
    )


async def test_notification_type_is_enforced(session: AsyncSession) -> None:
    row = await make.notification(session)
    await expect_integrity_error(
        session,
        text("UPDATE notifications SET type = 'urgent' WHERE id = :id").bindparams(row_id(row.id)),
    )


CHECKS: list[tuple[Factory, str, str]] = [
    (make.profile, "user_profiles", "experience = 51"),
    (make.profile, "user_profiles", "experience = -1"),
    (make.step, "workflow_steps", '"order" = 0'),
    (make.step, "workflow_steps", "estimated_duration = -5"),
    (make.evidence, "compliance_evidence", "size = -1"),
    (make.widget, "dashboard_widgets", "width = 0"),
    (make.widget, "dashboard_widgets", "position_x = -1"),
    (make.user, "users", "first_name = ''"),
]


@pytest.mark.parametrize(
    ("factory", "table", "assignment"), CHECKS, ids=[f"{t}: {a}" for _, t, a in CHECKS]
)
async def test_range_checks(
    session: AsyncSession, factory: Factory, table: str, assignment: str
) -> None:
    row = await factory(session)
    await expect_integrity_error(
        session, text(f"UPDATE {table} SET {assignment} WHERE id = :id").bindparams(row_id(row.id))
    )


async def test_audit_action_is_enforced(session: AsyncSession) -> None:
    statement = text(
        "INSERT INTO audit_logs (id, actor, action, resource, resource_id, timestamp, seq, "
        "prev_hash, hash, created_at, updated_at) VALUES (:id, 'system', 'zz', 'user', 'x', "
        ":now, 999999, :h, :h, :now, :now)"
    ).bindparams(row_id(uuid.UUID(int=7)), now=datetime.now(UTC), h="0" * 64)
    await expect_integrity_error(session, statement)
