"""Bring a database's catalogue to what the catalogue files say, changing only what differs.

Rows seeded from the files have deterministic ids (`catalog_id`), so every run addresses the
same rows: missing ones are inserted, changed ones updated (their `updated_at` and `version`
move), equal ones left untouched. A second run over an unchanged catalogue writes nothing.
Rows that disappear from the files are deactivated, never deleted: users' data may point at them.

This module is the one exception to "every write goes through a domain operation": it writes
rows directly, because the catalogue's rows have fixed ids and are upserted as a whole, which
no create or update operation does (and their per-row checks would cost minutes on a reseed).
The whole seed is still one audited change: a single `seed` row with what it changed.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.audit import service as audit
from dreamery.catalog.data import Catalog, StarterFile, default_catalog
from dreamery.core.context import SYSTEM_ACTOR, RequestContext
from dreamery.core.ids import catalog_id
from dreamery.models import (
    AnalyticsDashboard,
    ComplianceRequirement,
    DashboardWidget,
    DocumentTemplate,
    DocumentVariable,
    Permission,
    ProfessionalCategory,
    RolePermission,
    UserRole,
    ValidationRule,
    Workflow,
    WorkflowStep,
)
from dreamery.models.base import Base
from dreamery.models.enums import AuditAction

Progress = Callable[[str], None]
T = TypeVar("T", bound=Base)


@dataclass
class SeedReport:
    inserted: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deactivated: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return any((self.inserted, self.updated, self.deactivated, self.removed))

    def summary(self) -> dict[str, dict[str, int]]:
        return {
            name: dict(counter)
            for name, counter in (
                ("inserted", self.inserted),
                ("updated", self.updated),
                ("deactivated", self.deactivated),
                ("removed", self.removed),
            )
            if counter
        }


async def _sync(
    session: AsyncSession,
    model: type[T],
    rows: Sequence[dict[str, Any]],
    report: SeedReport,
) -> None:
    """Insert missing rows and update differing ones, matched by primary key."""
    table = model.__tablename__
    key = model.__mapper__.primary_key[0]
    existing: dict[Any, T] = {}
    ids = [row["id"] for row in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for obj in await session.scalars(select(model).where(key.in_(chunk))):
            existing[obj.id] = obj  # type: ignore[attr-defined]
    for row in rows:
        current = existing.get(row["id"])
        if current is None:
            session.add(model(**row))
            report.inserted[table] += 1
            continue
        changed = False
        for name, value in row.items():
            if getattr(current, name) != value:
                setattr(current, name, value)
                changed = True
        (report.updated if changed else report.unchanged)[table] += 1
    await session.flush()


async def _deactivate_missing(
    session: AsyncSession,
    model: type[Any],
    key_column: Any,
    keep: set[Any],
    report: SeedReport,
) -> None:
    """Mark catalogue rows that left the files inactive (they may still be referenced)."""
    stale = select(model).where(key_column.is_not(None), model.is_active.is_(True))
    for obj in await session.scalars(stale):
        if getattr(obj, key_column.key) not in keep:
            obj.is_active = False
            report.deactivated[model.__tablename__] += 1
    await session.flush()


async def _remove_missing(
    session: AsyncSession,
    model: type[Any],
    parent_column: Any,
    parents: Sequence[dict[str, Any]],
    rows: Sequence[dict[str, Any]],
    report: SeedReport,
) -> None:
    """Delete the steps (or rules) of starter workflows (or steps) that left the files: a
    definition holds only what the catalogue says. Runs keep the version they started on."""
    keep = {row["id"] for row in rows}
    parent_ids = [row["id"] for row in parents]
    for start in range(0, len(parent_ids), 500):
        chunk = parent_ids[start : start + 500]
        for obj in await session.scalars(select(model).where(parent_column.in_(chunk))):
            if obj.id not in keep:
                await session.delete(obj)
                report.removed[model.__tablename__] += 1
    await session.flush()


def _catalog_rows(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {"categories": [], "roles": []}
    for position, category in enumerate(catalog.categories, start=1):
        rows["categories"].append(
            {
                "id": category.id,
                "name": category.name,
                "description": category.description,
                "sort_order": position,
                "is_active": True,
            }
        )
        for role_position, role in enumerate(category.roles, start=1):
            rows["roles"].append(
                {
                    "id": role.id,
                    "name": role.name,
                    "description": role.description,
                    "category_id": category.id,
                    "sort_order": role_position,
                    "is_active": True,
                }
            )
    return rows


def permission_id(name: str) -> uuid.UUID:
    return catalog_id("permission", name)


def role_permission_id(role_id: str, permission_name: str) -> uuid.UUID:
    return catalog_id("role-permission", role_id, permission_name)


def _permission_rows(catalog: Catalog) -> list[dict[str, Any]]:
    rows = []
    for resource, action, scope in catalog.permissions.all_permissions():
        name = f"{resource}:{action}:{scope}"
        meanings = {
            "own": catalog.permissions.own,
            "case": catalog.permissions.case,
            "org": catalog.permissions.org,
        }
        whose = meanings[scope].get(resource) if scope in meanings else None
        noun = resource.value.replace("_", " ")
        description = (
            f"{action.capitalize()} {whose}" if whose else f"{action.capitalize()} any {noun}"
        )
        rows.append(
            {
                "id": permission_id(name),
                "name": name,
                "resource": resource,
                "action": action,
                "scope": scope,
                "description": f"{description} ({noun})" if whose else description,
            }
        )
    return rows


def _role_permission_rows(catalog: Catalog) -> list[dict[str, Any]]:
    return [
        {
            "id": role_permission_id(role.id, name),
            "role_id": role.id,
            "permission_id": permission_id(name),
        }
        for category, role in catalog.roles
        for name in catalog.grants_for(category.id, role.id)
    ]


@dataclass
class _StarterRows:
    workflows: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    variables: list[dict[str, Any]] = field(default_factory=list)
    requirements: list[dict[str, Any]] = field(default_factory=list)
    dashboards: list[dict[str, Any]] = field(default_factory=list)
    widgets: list[dict[str, Any]] = field(default_factory=list)


def _starter_rows(catalog: Catalog) -> _StarterRows:
    out = _StarterRows()
    for category in catalog.categories:
        starter = catalog.starter[category.id]
        _workflow_rows(starter, out)
        _template_rows(starter, out)
        for requirement in starter.compliance_requirements:
            out.requirements.append(
                {
                    "id": catalog_id("compliance-requirement", requirement.slug),
                    "slug": requirement.slug,
                    "name": requirement.name,
                    "description": requirement.description,
                    "role_id": requirement.role,
                    "category": requirement.category,
                    "frequency": requirement.frequency,
                    "requirements": [c.model_dump(mode="json") for c in requirement.checks],
                    "is_active": True,
                }
            )
        for role in category.roles:
            dashboard_id = catalog_id("dashboard", role.id)
            out.dashboards.append(
                {
                    "id": dashboard_id,
                    "slug": f"{role.id}-dashboard",
                    "role_id": role.id,
                    "name": starter.dashboard.name,
                    "description": starter.dashboard.description,
                    "is_default": True,
                }
            )
            for number, widget in enumerate(starter.dashboard.widgets, start=1):
                out.widgets.append(
                    {
                        "id": catalog_id("dashboard", role.id, "widget", str(number)),
                        "dashboard_id": dashboard_id,
                        "widget_type": widget.type,
                        "title": widget.title,
                        "metric": widget.metric,
                        "position_x": widget.x,
                        "position_y": widget.y,
                        "width": widget.width,
                        "height": widget.height,
                        "settings": widget.settings,
                    }
                )
    return out


def _workflow_rows(starter: StarterFile, out: _StarterRows) -> None:
    for workflow in starter.workflows:
        workflow_id = catalog_id("workflow", workflow.slug)
        out.workflows.append(
            {
                "id": workflow_id,
                "slug": workflow.slug,
                "name": workflow.name,
                "description": workflow.description,
                "role_id": workflow.role,
                "is_active": True,
                "default_for": [str(kind) for kind in workflow.default_for],
            }
        )

        def step_id(number: int, slug: str = workflow.slug) -> uuid.UUID:
            return catalog_id("workflow", slug, "step", str(number))

        for number, step in enumerate(workflow.steps, start=1):
            out.steps.append(
                {
                    "id": step_id(number),
                    "workflow_id": workflow_id,
                    "name": step.name,
                    "description": step.description,
                    "order": number,
                    "kind": step.kind,
                    "is_required": step.required,
                    "case_role": step.case_role,
                    "due_rule": step.due.model_dump(mode="json") if step.due else None,
                    "template_id": (
                        catalog_id("document-template", step.template) if step.template else None
                    ),
                    "key_date": step.key_date,
                    "required_fields": list(step.required_fields),
                    "estimated_duration": step.estimated_duration,
                    "dependencies": [str(step_id(d)) for d in step.depends_on],
                }
            )
            for rule_number, rule in enumerate(step.rules, start=1):
                out.rules.append(
                    {
                        "id": catalog_id(
                            "workflow", workflow.slug, "step", str(number), "rule", str(rule_number)
                        ),
                        "step_id": step_id(number),
                        "field": rule.field,
                        "rule_type": rule.type,
                        "value": rule.value,
                        "message": rule.message,
                        "order": rule_number,
                    }
                )


def _template_rows(starter: StarterFile, out: _StarterRows) -> None:
    for template in starter.document_templates:
        template_id = catalog_id("document-template", template.slug)
        out.templates.append(
            {
                "id": template_id,
                "slug": template.slug,
                "name": template.name,
                "description": template.description,
                "role_id": template.role,
                "category": template.category,
                "content": template.content,
                "template_version": template.template_version,
                "is_active": True,
            }
        )
        for number, variable in enumerate(template.variables, start=1):
            out.variables.append(
                {
                    "id": catalog_id("document-template", template.slug, "variable", variable.name),
                    "template_id": template_id,
                    "name": variable.name,
                    "label": variable.label,
                    "var_type": variable.type,
                    "required": variable.required,
                    "default_value": variable.default,
                    "options": list(variable.options) if variable.options else None,
                    "description": variable.description,
                    "order": number,
                }
            )


async def _revoke_dropped_grants(
    session: AsyncSession, catalog: Catalog, wanted: list[dict[str, Any]], report: SeedReport
) -> None:
    """The matrix is authoritative for the links it seeded: a grant taken out of the file is
    revoked. Links made by an administrator (random ids) are left alone."""
    keep = {row["id"] for row in wanted}
    names = [f"{r}:{a}:{s}" for r, a, s in catalog.permissions.all_permissions()]
    seeded = {role_permission_id(role.id, name) for _, role in catalog.roles for name in names}
    links = await session.scalars(
        select(RolePermission.id).where(RolePermission.role_id.in_(catalog.role_ids()))
    )
    dropped = [link for link in links if link in seeded and link not in keep]
    if dropped:
        await session.execute(delete(RolePermission).where(RolePermission.id.in_(dropped)))
        report.removed["role_permissions"] += len(dropped)


async def seed_catalog(
    session: AsyncSession,
    catalog: Catalog | None = None,
    *,
    progress: Progress | None = None,
) -> SeedReport:
    """Upsert the catalogue, the permission matrix and the starter content; flush, no commit."""
    catalog = catalog or default_catalog()
    report = SeedReport()
    step = progress or (lambda _label: None)

    base = _catalog_rows(catalog)
    step("categories and roles")
    await _sync(session, ProfessionalCategory, base["categories"], report)
    await _sync(session, UserRole, base["roles"], report)
    await _deactivate_missing(
        session, UserRole, UserRole.id, {row["id"] for row in base["roles"]}, report
    )
    await _deactivate_missing(
        session,
        ProfessionalCategory,
        ProfessionalCategory.id,
        {row["id"] for row in base["categories"]},
        report,
    )

    step("permissions")
    await _sync(session, Permission, _permission_rows(catalog), report)
    links = _role_permission_rows(catalog)
    await _sync(session, RolePermission, links, report)
    await _revoke_dropped_grants(session, catalog, links, report)

    starter = _starter_rows(catalog)
    # Templates first: a document step names the template its document is made from.
    step("document templates")
    await _sync(session, DocumentTemplate, starter.templates, report)
    await _sync(session, DocumentVariable, starter.variables, report)
    step("workflows")
    await _sync(session, Workflow, starter.workflows, report)
    await _sync(session, WorkflowStep, starter.steps, report)
    await _sync(session, ValidationRule, starter.rules, report)
    await _remove_missing(
        session, WorkflowStep, WorkflowStep.workflow_id, starter.workflows, starter.steps, report
    )
    await _remove_missing(
        session, ValidationRule, ValidationRule.step_id, starter.steps, starter.rules, report
    )
    step("compliance requirements")
    await _sync(session, ComplianceRequirement, starter.requirements, report)
    step("dashboards")
    await _sync(session, AnalyticsDashboard, starter.dashboards, report)
    await _sync(session, DashboardWidget, starter.widgets, report)
    for model, rows in (
        (Workflow, starter.workflows),
        (DocumentTemplate, starter.templates),
        (ComplianceRequirement, starter.requirements),
    ):
        await _deactivate_missing(session, model, model.slug, {r["slug"] for r in rows}, report)

    if report.changed:
        await audit.record(
            session,
            actor=SYSTEM_ACTOR,
            request=RequestContext(),
            action=AuditAction.SEED,
            resource="catalog",
            resource_id="catalog",
            changes=report.summary(),
        )
    return report
