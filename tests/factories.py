"""Small factories: one valid row of each table, flushed, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import (
    AnalyticsDashboard,
    AnalyticsMetric,
    AuditLog,
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
    Task,
    User,
    UserProfile,
    UserRole,
    ValidationRule,
    Workflow,
    WorkflowStep,
)
from dreamery.models.enums import (
    AuditAction,
    ComplianceCategory,
    Frequency,
    MetricCategory,
    PermissionAction,
    PermissionScope,
    ReminderChannel,
    Resource,
    TemplateCategory,
    ValidationRuleType,
    VariableType,
    WidgetType,
)

T = TypeVar("T")
_sequence = itertools.count(1)
ROLE = "acquisition-specialist"


def now() -> datetime:
    return datetime.now(UTC)


async def _add(session: AsyncSession, obj: T) -> T:
    session.add(obj)
    await session.flush()
    return obj


async def category(session: AsyncSession, **fields: Any) -> ProfessionalCategory:
    n = next(_sequence)
    values = {"id": f"test-category-{n}", "name": f"Test Category {n}"} | fields
    return await _add(session, ProfessionalCategory(**values))


async def role(session: AsyncSession, **fields: Any) -> UserRole:
    n = next(_sequence)
    if "category_id" not in fields:
        fields["category_id"] = (await category(session)).id
    values = {"id": f"test-role-{n}", "name": f"Test Role {n}"} | fields
    return await _add(session, UserRole(**values))


async def user(session: AsyncSession, **fields: Any) -> User:
    n = next(_sequence)
    values = {
        "email": f"person{n}@example.com",
        "first_name": "Pat",
        "last_name": f"Tester{n}",
        "role_id": ROLE,
    } | fields
    return await _add(session, User(**values))


async def profile(session: AsyncSession, **fields: Any) -> UserProfile:
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    return await _add(session, UserProfile(**({"company": "Acme Realty"} | fields)))


async def permission(session: AsyncSession, **fields: Any) -> Permission:
    values = {
        "name": "audit_log:read:own-test",
        "resource": Resource.AUDIT_LOG,
        "action": PermissionAction.DELETE,
        "scope": PermissionScope.OWN,
    } | fields
    return await _add(session, Permission(**values))


async def role_permission(session: AsyncSession, **fields: Any) -> RolePermission:
    if "role_id" not in fields:
        fields["role_id"] = (await role(session)).id
    if "permission_id" not in fields:
        fields["permission_id"] = (await permission(session)).id
    return await _add(session, RolePermission(**fields))


async def workflow(session: AsyncSession, **fields: Any) -> Workflow:
    values = {"name": "Inspection Workflow", "role_id": ROLE} | fields
    return await _add(session, Workflow(**values))


async def step(session: AsyncSession, **fields: Any) -> WorkflowStep:
    if "workflow_id" not in fields:
        fields["workflow_id"] = (await workflow(session)).id
    return await _add(session, WorkflowStep(**({"name": "Walkthrough", "order": 1} | fields)))


async def rule(session: AsyncSession, **fields: Any) -> ValidationRule:
    if "step_id" not in fields:
        fields["step_id"] = (await step(session)).id
    values = {
        "field": "propertyAddress",
        "rule_type": ValidationRuleType.REQUIRED,
        "message": "Enter the address.",
    } | fields
    return await _add(session, ValidationRule(**values))


async def template(session: AsyncSession, **fields: Any) -> DocumentTemplate:
    values = {
        "name": "Lease",
        "role_id": ROLE,
        "category": TemplateCategory.AGREEMENT,
        "content": "Tenant: {{tenantName}}",
    } | fields
    return await _add(session, DocumentTemplate(**values))


async def variable(session: AsyncSession, **fields: Any) -> DocumentVariable:
    if "template_id" not in fields:
        fields["template_id"] = (await template(session)).id
    values = {"name": "tenantName", "var_type": VariableType.STRING} | fields
    return await _add(session, DocumentVariable(**values))


async def instance(session: AsyncSession, **fields: Any) -> DocumentInstance:
    if "template_id" not in fields:
        fields["template_id"] = (await template(session)).id
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    return await _add(session, DocumentInstance(**({"role_id": ROLE} | fields)))


async def requirement(session: AsyncSession, **fields: Any) -> ComplianceRequirement:
    values = {
        "name": "E&O Insurance",
        "role_id": ROLE,
        "category": ComplianceCategory.INSURANCE,
        "frequency": Frequency.ANNUALLY,
    } | fields
    return await _add(session, ComplianceRequirement(**values))


async def record(session: AsyncSession, **fields: Any) -> ComplianceRecord:
    if "requirement_id" not in fields:
        fields["requirement_id"] = (await requirement(session)).id
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    return await _add(session, ComplianceRecord(**fields))


async def evidence(session: AsyncSession, **fields: Any) -> ComplianceEvidence:
    if "record_id" not in fields:
        fields["record_id"] = (await record(session)).id
    values = {
        "file_name": "license.pdf",
        "location": "file:evidence/license.pdf",
        "content_type": "application/pdf",
        "size": 1024,
        "uploaded_at": now(),
    } | fields
    return await _add(session, ComplianceEvidence(**values))


async def metric(session: AsyncSession, **fields: Any) -> AnalyticsMetric:
    values = {
        "role_id": ROLE,
        "metric": "deals_closed",
        "value": 3.0,
        "unit": "count",
        "category": MetricCategory.PERFORMANCE,
        "timestamp": now(),
    } | fields
    return await _add(session, AnalyticsMetric(**values))


async def dashboard(session: AsyncSession, **fields: Any) -> AnalyticsDashboard:
    return await _add(session, AnalyticsDashboard(**({"role_id": ROLE, "name": "Board"} | fields)))


async def widget(session: AsyncSession, **fields: Any) -> DashboardWidget:
    if "dashboard_id" not in fields:
        fields["dashboard_id"] = (await dashboard(session)).id
    values = {"widget_type": WidgetType.KPI, "title": "Deals", "metric": "deals_closed"} | fields
    return await _add(session, DashboardWidget(**values))


async def task(session: AsyncSession, **fields: Any) -> Task:
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    values = {"title": "Call the seller", "role_id": ROLE, "due_date": now() + timedelta(days=3)}
    return await _add(session, Task(**(values | fields)))


async def reminder(session: AsyncSession, **fields: Any) -> Reminder:
    if "task_id" not in fields:
        owner = await task(session)
        fields["task_id"] = owner.id
        fields.setdefault("user_id", owner.user_id)
    values = {"channel": ReminderChannel.EMAIL, "scheduled_at": now() + timedelta(days=2)}
    return await _add(session, Reminder(**(values | fields)))


async def notification(session: AsyncSession, **fields: Any) -> Notification:
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    values = {"title": "Welcome", "message": "Your account is ready."} | fields
    return await _add(session, Notification(**values))


async def audit(session: AsyncSession, **fields: Any) -> AuditLog:
    from dreamery.audit import service as audit_service
    from dreamery.core.context import Actor, RequestContext

    return await audit_service.record(
        session,
        actor=Actor(user_id=fields.get("user_id")),
        request=RequestContext(),
        action=fields.get("action", AuditAction.UPDATE),
        resource=fields.get("resource", "user"),
        resource_id=fields.get("resource_id", "x"),
    )
