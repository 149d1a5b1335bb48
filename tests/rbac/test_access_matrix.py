"""Every role, every resource, every action, on its own and on someone else's object:
the service decides exactly what permissions.toml says."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.analytics.service import DASHBOARDS, METRICS
from dreamery.audit.service import AUDIT_LOGS
from dreamery.cases.service import CASES
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
    Case,
    ComplianceRecord,
    ComplianceRequirement,
    DocumentInstance,
    DocumentTemplate,
    Invitation,
    Membership,
    Notification,
    Organization,
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
from dreamery.models.enums import OrgRole, PermissionAction
from dreamery.notifications.service import NOTIFICATIONS
from dreamery.organizations.service import INVITATIONS, MEMBERSHIPS, ORGANIZATIONS
from dreamery.rbac import service as rbac
from dreamery.rbac.service import PERMISSIONS, ROLE_PERMISSIONS
from dreamery.tasks.service import REMINDERS, TASKS
from dreamery.users.service import PROFILES, USERS
from dreamery.workflows.service import WORKFLOWS
from tests import factories as make

pytestmark = pytest.mark.usefixtures("backend")

OTHER_ROLE = "handyman"
# Whose an object is, to the person deciding: theirs; a colleague's (same organization); a
# stranger's on a case the person takes part in; a stranger's elsewhere.
KINDS = ("own", "org", "case", "other")


def _objects(
    user_id: uuid.UUID,
    role_id: str,
    organization_id: uuid.UUID,
    case_id: uuid.UUID | None,
) -> dict[str, Any]:
    """One unsaved object of each resource, belonging to `user_id` / `role_id`, of the
    organization, and filed on `case_id` where the resource can be."""
    org = {"organization_id": organization_id}
    on_case = {"case_id": case_id}
    return {
        "user": User(id=user_id, role_id=role_id, **org),
        "profile": UserProfile(user_id=user_id, **org),
        "workflow": Workflow(role_id=role_id, **org),
        "document_template": DocumentTemplate(role_id=role_id, **org),
        "document_instance": DocumentInstance(user_id=user_id, role_id=role_id, **org, **on_case),
        "compliance_requirement": ComplianceRequirement(role_id=role_id, **org),
        "compliance_record": ComplianceRecord(user_id=user_id, **org),
        "metric": AnalyticsMetric(user_id=user_id, role_id=role_id, **org),
        "dashboard": AnalyticsDashboard(role_id=role_id, **org),
        "task": Task(user_id=user_id, role_id=role_id, created_by=user_id, **org, **on_case),
        "reminder": Reminder(user_id=user_id, **org),
        "notification": Notification(user_id=user_id, **org, **on_case),
        "category": ProfessionalCategory(id="x"),
        "role": UserRole(id=role_id),
        "permission": Permission(),
        "role_permission": RolePermission(role_id=role_id),
        "audit_log": AuditLog(user_id=user_id, **org),
        "organization": Organization(id=organization_id),
        "membership": Membership(user_id=user_id, **org),
        "invitation": Invitation(**org),
        "case": Case(id=case_id or uuid.uuid4(), created_by=user_id, **org),
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
        ORGANIZATIONS,
        MEMBERSHIPS,
        INVITATIONS,
        CASES,
    )
}


def _reaches(
    spec: EntitySpec[Any, Any], action: str, scope: str, kind: str, same_role: bool
) -> bool:
    """What permissions.toml says a scope reaches, for an object of this kind."""
    if scope == "any":
        return True
    if scope == "own":
        owner = spec.owner_for(PermissionAction(action))
        if owner is None:
            return False
        if owner.actor_attr == "role_id":  # a role's playbook, if everyone's or the org's
            return kind == "own" or (kind == "org" and same_role)
        if owner.actor_attr == "organization_id":  # one's organization: a colleague's too
            return kind in ("own", "org")
        return kind == "own"
    if scope == "org":
        return spec.tenancy is not None and kind in ("own", "org")
    return spec.case_column is not None and kind == "case"


async def test_every_role_gets_exactly_its_matrix(session: AsyncSession) -> None:
    """Each of the 89 roles, verified, a member of an organization and taking part in one
    case of another organization: allowed exactly what its grants reach."""
    catalog = default_catalog()
    resources = catalog.permissions.resources
    assert set(SPECS) == {str(r) for r in resources}
    firm = await make.organization(session)
    colleague = await make.user(
        session, role_id=OTHER_ROLE, organization_id=firm.id, org_role=OrgRole.MEMBER
    )
    stranger = await make.user(session, role_id=OTHER_ROLE)
    shared = await make.case(session, organization_id=stranger.organization_id)
    theirs = {
        "org": _objects(colleague.id, OTHER_ROLE, firm.id, None),
        "case": _objects(stranger.id, OTHER_ROLE, stranger.organization_id, shared.id),
        "other": _objects(stranger.id, OTHER_ROLE, stranger.organization_id, None),
    }
    member_grants = catalog.org_role_grants(OrgRole.MEMBER)
    checked = 0
    for category, role in catalog.roles:
        person = await make.user(
            session, role_id=role.id, organization_id=firm.id, org_role=OrgRole.MEMBER
        )
        await make.participant(session, case_id=shared.id, user_id=person.id)
        actor = await rbac.actor_for(session, person.id)
        caller = Caller(actor, RequestContext())
        grants = set(catalog.grants_for(category.id, role.id)) | member_grants
        assert actor.permissions == grants, role.id
        objects = {"own": _objects(person.id, role.id, firm.id, None), **theirs}
        for resource, actions in resources.items():
            spec = SPECS[str(resource)]
            for action in actions:
                for kind in KINDS:
                    expected = any(
                        f"{resource}:{action}:{scope}" in grants
                        and _reaches(spec, action, scope, kind, role.id == OTHER_ROLE)
                        for scope in ("own", "case", "org", "any")
                    )
                    obj = objects[kind][str(resource)]
                    try:
                        await authorize(session, caller, spec, PermissionAction(action), obj)
                        allowed = True
                    except PermissionDeniedError:
                        allowed = False
                    assert allowed == expected, (role.id, resource, action, kind)
                    checked += 1
    assert checked > 89 * 80


async def test_a_claimed_role_holds_only_what_everyone_holds(session: AsyncSession) -> None:
    catalog = default_catalog()
    for category, role in catalog.roles:
        claimed = await make.user(session, role_id=role.id, role_verified_at=None)
        actor = await rbac.actor_for(session, claimed.id)
        # Owner of their personal (unverified) organization: its standing, without approving.
        standing = {
            name for name in catalog.org_role_grants(OrgRole.OWNER) if ":approve:" not in name
        }
        assert actor.permissions == catalog.everyones() | standing, (category.id, role.id)


@pytest.mark.parametrize("org_role", list(OrgRole))
async def test_a_standing_adds_its_grants_and_approves_once_verified(
    session: AsyncSession, org_role: OrgRole
) -> None:
    catalog = default_catalog()
    base = set(catalog.grants_for("maintenance-services", OTHER_ROLE))
    for verified in (False, True):
        firm = await make.organization(session, verified_at=make.now() if verified else None)
        person = await make.user(
            session, role_id=OTHER_ROLE, organization_id=firm.id, org_role=org_role
        )
        standing = catalog.org_role_grants(org_role)
        if not verified:
            standing = frozenset(n for n in standing if ":approve:" not in n)
        actor = await rbac.actor_for(session, person.id)
        assert actor.permissions == base | standing
        assert (actor.organization_id, actor.org_role) == (firm.id, org_role)


async def test_lists_only_hold_what_the_actor_may_read(session: AsyncSession) -> None:
    """Same matrix, through SQL: a list never fetches rows it would then hide."""
    handyman = await make.user(session, role_id="handyman")
    manager = await make.user(session, role_id="property-manager")
    job = await make.case(session, organization_id=manager.organization_id)
    for person in (handyman, manager):
        await make.participant(session, case_id=job.id, user_id=person.id)
    for owner in (handyman, manager):
        await make.task(session, user_id=owner.id, role_id=owner.role_id, case_id=job.id)
        await make.task(session, user_id=owner.id, role_id=owner.role_id)  # off the job
        await make.notification(session, user_id=owner.id)
    elsewhere = await make.user(session, role_id="handyman")
    await make.task(session, user_id=elsewhere.id, role_id="handyman")
    for person, sees_the_jobs_tasks in ((handyman, False), (manager, True)):
        caller = Caller(await rbac.actor_for(session, person.id), RequestContext())
        tasks = await crud.find(session, caller, TASKS, limit=100, with_total=True)
        owners = {t.user_id for t in tasks.items}
        assert person.id in owners and elsewhere.id not in owners
        assert (len(owners) > 1) is sees_the_jobs_tasks
        # The manager reads the job's tasks (task:read:case), not the crew's others.
        assert all(t.user_id == person.id or t.case_id == job.id for t in tasks.items)
        assert tasks.total == len(tasks.items)
        notes = await crud.find(session, caller, NOTIFICATIONS, limit=100, with_total=True)
        assert {n.user_id for n in notes.items} == {person.id}
        assert notes.total == len(notes.items)
        audit = await crud.find(session, caller, AUDIT_LOGS, limit=5, with_total=True)
        assert audit.items == []
        assert audit.total == 0
