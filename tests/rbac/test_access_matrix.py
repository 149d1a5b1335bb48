"""Every role, every resource, every action, on its own and on someone else's object:
the service decides exactly what permissions.toml says."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.analytics.service import DASHBOARDS, METRICS
from dreamery.audit.service import AUDIT_LOGS
from dreamery.catalog.data import default_catalog
from dreamery.catalog.service import CATEGORIES, ROLES
from dreamery.compliance.service import COMPLIANCE_RECORDS, COMPLIANCE_REQUIREMENTS
from dreamery.core import crud
from dreamery.core.access import authorize
from dreamery.core.context import Caller, RequestContext
from dreamery.core.entities import EntitySpec
from dreamery.core.errors import PermissionDeniedError
from dreamery.documents.service import DOCUMENT_INSTANCES, DOCUMENT_TEMPLATES
from dreamery.models import (
    AnalyticsDashboard,
    AnalyticsMetric,
    AuditLog,
    ComplianceRecord,
    ComplianceRequirement,
    DocumentInstance,
    DocumentTemplate,
    Notification,
    Permission,
    ProfessionalCategory,
    Reminder,
    RolePermission,
    Task,
    User,
    UserProfile,
    UserRole,
    Workflow,
)
from dreamery.models.enums import PermissionAction
from dreamery.notifications.service import NOTIFICATIONS
from dreamery.rbac import service as rbac
from dreamery.rbac.service import PERMISSIONS, ROLE_PERMISSIONS
from dreamery.tasks.service import REMINDERS, TASKS
from dreamery.users.service import PROFILES, USERS
from dreamery.workflows.service import WORKFLOWS
from tests import factories as make

pytestmark = pytest.mark.usefixtures("backend")

OTHER_ROLE = "handyman"


def _objects(user_id: uuid.UUID, role_id: str) -> dict[str, Any]:
    """One unsaved object of each resource, belonging to `user_id` / `role_id`."""
    return {
        "user": User(id=user_id, role_id=role_id),
        "profile": UserProfile(user_id=user_id),
        "workflow": Workflow(role_id=role_id),
        "document_template": DocumentTemplate(role_id=role_id),
        "document_instance": DocumentInstance(user_id=user_id, role_id=role_id),
        "compliance_requirement": ComplianceRequirement(role_id=role_id),
        "compliance_record": ComplianceRecord(user_id=user_id),
        "metric": AnalyticsMetric(user_id=user_id, role_id=role_id),
        "dashboard": AnalyticsDashboard(role_id=role_id),
        "task": Task(user_id=user_id, role_id=role_id, created_by=user_id),
        "reminder": Reminder(user_id=user_id),
        "notification": Notification(user_id=user_id),
        "category": ProfessionalCategory(id="x"),
        "role": UserRole(id=role_id),
        "permission": Permission(),
        "role_permission": RolePermission(role_id=role_id),
        "audit_log": AuditLog(user_id=user_id),
    }


SPECS: dict[str, EntitySpec[Any, Any]] = {
    str(spec.resource): spec
    for spec in (
        USERS,
        PROFILES,
        WORKFLOWS,
        DOCUMENT_TEMPLATES,
        DOCUMENT_INSTANCES,
        COMPLIANCE_REQUIREMENTS,
        COMPLIANCE_RECORDS,
        METRICS,
        DASHBOARDS,
        TASKS,
        REMINDERS,
        NOTIFICATIONS,
        CATEGORIES,
        ROLES,
        PERMISSIONS,
        ROLE_PERMISSIONS,
        AUDIT_LOGS,
    )
}


async def test_every_role_gets_exactly_its_matrix(session: AsyncSession) -> None:
    catalog = default_catalog()
    resources = catalog.permissions.resources
    assert set(SPECS) == {str(r) for r in resources}
    stranger = await make.user(session, role_id=OTHER_ROLE)
    theirs = _objects(stranger.id, OTHER_ROLE)
    checked = 0
    for category, role in catalog.roles:
        person = await make.user(session, role_id=role.id)
        actor = await rbac.actor_for(session, person.id)
        caller = Caller(actor, RequestContext())
        grants = set(catalog.grants_for(category.id, role.id))
        mine = _objects(person.id, role.id)
        for resource, actions in resources.items():
            spec = SPECS[str(resource)]
            for action in actions:
                for whose, obj in (("own", mine[str(resource)]), ("other", theirs[str(resource)])):
                    if (
                        role.id == OTHER_ROLE
                        and whose == "other"
                        and spec.owner
                        and spec.owner.actor_attr == "role_id"
                    ):
                        continue  # the stranger shares this role: their object is "own" too
                    expected = f"{resource}:{action}:any" in grants or (
                        whose == "own"
                        and f"{resource}:{action}:own" in grants
                        and spec.owner is not None
                    )
                    try:
                        await authorize(session, caller, spec, PermissionAction(action), obj)
                        allowed = True
                    except PermissionDeniedError:
                        allowed = False
                    assert allowed == expected, (role.id, resource, action, whose)
                    checked += 1
    assert checked > 89 * 60


async def test_lists_only_hold_what_the_actor_may_read(session: AsyncSession) -> None:
    """Same matrix, through SQL: a list never fetches rows it would then hide."""
    handyman = await make.user(session, role_id="handyman")
    manager = await make.user(session, role_id="property-manager")
    for owner in (handyman, manager):
        await make.task(session, user_id=owner.id, role_id=owner.role_id)
        await make.notification(session, user_id=owner.id)
    for person, sees_all_tasks in ((handyman, False), (manager, True)):
        caller = Caller(await rbac.actor_for(session, person.id), RequestContext())
        tasks = await crud.find(session, caller, TASKS, limit=100, with_total=True)
        owners = {t.user_id for t in tasks.items}
        assert person.id in owners
        assert (len(owners) > 1) is sees_all_tasks
        assert tasks.total == len(tasks.items)
        notes = await crud.find(session, caller, NOTIFICATIONS, limit=100, with_total=True)
        assert {n.user_id for n in notes.items} == {person.id}
        assert notes.total == len(notes.items)
        audit = await crud.find(session, caller, AUDIT_LOGS, limit=5, with_total=True)
        assert audit.items == []
        assert audit.total == 0
