"""`DatabaseService`: the public facade over every domain's operations.

It holds no domain logic. Each method opens one unit of work (or joins the caller's, see
`transaction()` and `using()`), resolves who is acting, calls the domain operation and
returns Read schemas, never live ORM objects:

    async with DatabaseService() as db:                 # DATABASE_URL from settings
        john = await db.create_user({...})
        as_john = db.acting_as(john.id)                 # same database, John's permissions
        await as_john.change_task_status(task.id, "completed")

Every entity has `create_x`, `find_x_by_id`, `find_xs`, `update_x`, `delete_x` (and, where
deleted rows are kept, `restore_x` and `purge_x`) as its spec offers them, plus its named
operations; the methods live with their domain in `dreamery.facade`. `ENTITIES` lists every
entity's spec, for the surfaces that show them all (the studio).

`update_x` and `delete_x` take the version the change is based on (`expected_version=`, or
`version` in an update's data) and raise ConflictError when it is stale. The facade leaves it
optional: its callers (the CLI, the seeder, the studio, scripts) decide whether the last write
may win. The HTTP API does not: a PATCH or DELETE there without `If-Match` or `version` is
refused with 428.
"""

from __future__ import annotations

from typing import Any

from dreamery.analytics.service import DASHBOARD_WIDGETS, DASHBOARDS, METRICS
from dreamery.audit.service import AUDIT_LOGS
from dreamery.cases.service import CASES, KEY_DATES, PARTICIPANTS
from dreamery.catalog.service import CATEGORIES, ROLES
from dreamery.compliance.service import (
    COMPLIANCE_EVIDENCE,
    COMPLIANCE_RECORDS,
    COMPLIANCE_REQUIREMENTS,
)
from dreamery.core.entities import EntitySpec
from dreamery.documents.service import DOCUMENT_INSTANCES, DOCUMENT_TEMPLATES, DOCUMENT_VARIABLES
from dreamery.facade.account import AccountFacade
from dreamery.facade.analytics import AnalyticsFacade
from dreamery.facade.cases import CasesFacade
from dreamery.facade.catalog import CatalogFacade
from dreamery.facade.compliance import ComplianceFacade
from dreamery.facade.documents import DocumentsFacade
from dreamery.facade.notifications import NotificationsFacade
from dreamery.facade.organizations import OrganizationsFacade
from dreamery.facade.runs import RunsFacade
from dreamery.facade.tasks import TasksFacade
from dreamery.facade.users import UsersFacade
from dreamery.facade.workflows import WorkflowsFacade
from dreamery.notifications.service import NOTIFICATIONS
from dreamery.organizations.service import INVITATIONS, MEMBERSHIPS, ORGANIZATIONS
from dreamery.rbac.service import PERMISSIONS, ROLE_PERMISSIONS
from dreamery.tasks.service import REMINDERS, TASKS
from dreamery.users.service import PROFILES, USERS
from dreamery.workflows.runs import RUN_EVENTS, RUNS, STEP_RUNS
from dreamery.workflows.service import VALIDATION_RULES, WORKFLOW_STEPS, WORKFLOWS

# Every entity of the hub, in the order people look for them.
ENTITIES: tuple[EntitySpec[Any, Any], ...] = (
    USERS,
    PROFILES,
    ORGANIZATIONS,
    MEMBERSHIPS,
    INVITATIONS,
    CASES,
    PARTICIPANTS,
    KEY_DATES,
    RUNS,
    STEP_RUNS,
    RUN_EVENTS,
    CATEGORIES,
    ROLES,
    PERMISSIONS,
    ROLE_PERMISSIONS,
    WORKFLOWS,
    WORKFLOW_STEPS,
    VALIDATION_RULES,
    DOCUMENT_TEMPLATES,
    DOCUMENT_VARIABLES,
    DOCUMENT_INSTANCES,
    COMPLIANCE_REQUIREMENTS,
    COMPLIANCE_RECORDS,
    COMPLIANCE_EVIDENCE,
    METRICS,
    DASHBOARDS,
    DASHBOARD_WIDGETS,
    TASKS,
    REMINDERS,
    NOTIFICATIONS,
    AUDIT_LOGS,
)


class DatabaseService(
    AccountFacade,
    UsersFacade,
    OrganizationsFacade,
    CasesFacade,
    CatalogFacade,
    WorkflowsFacade,
    RunsFacade,
    DocumentsFacade,
    ComplianceFacade,
    AnalyticsFacade,
    TasksFacade,
    NotificationsFacade,
):
    """The hub's data, with access control and an audit trail on every path."""


__all__ = ["ENTITIES", "DatabaseService"]
