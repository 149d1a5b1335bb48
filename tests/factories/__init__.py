"""Small factories, one module per domain: one valid row of each table, flushed, with
overridable fields. `from tests import factories as make` gives them all (`make.task(...)`)."""

from tests.factories.analytics import dashboard, metric, widget
from tests.factories.audit import audit
from tests.factories.base import ROLE, now
from tests.factories.catalog import category, role
from tests.factories.compliance import evidence, record, requirement
from tests.factories.documents import instance, template, variable
from tests.factories.notifications import notification
from tests.factories.organizations import case, membership, organization, participant
from tests.factories.rbac import permission, role_permission
from tests.factories.tasks import reminder, task
from tests.factories.users import profile, user
from tests.factories.workflows import (
    rule,
    run_event,
    run_on,
    step,
    step_run,
    workflow,
    workflow_run,
)

__all__ = [
    "ROLE",
    "audit",
    "case",
    "category",
    "dashboard",
    "evidence",
    "instance",
    "membership",
    "metric",
    "notification",
    "now",
    "organization",
    "participant",
    "permission",
    "profile",
    "record",
    "reminder",
    "requirement",
    "role",
    "role_permission",
    "rule",
    "run_event",
    "run_on",
    "step",
    "step_run",
    "task",
    "template",
    "user",
    "variable",
    "widget",
    "workflow",
    "workflow_run",
]
