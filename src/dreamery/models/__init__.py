"""Every table of the hub, importable from one place (and so seen by Alembic)."""

from dreamery.models.analytics import AnalyticsDashboard, AnalyticsMetric, DashboardWidget
from dreamery.models.audit import AuditLog
from dreamery.models.auth import HubSetting, RefreshToken
from dreamery.models.base import Base
from dreamery.models.cases import Case, CaseKeyDate, CaseParticipant
from dreamery.models.catalog import ProfessionalCategory, UserRole
from dreamery.models.compliance import ComplianceEvidence, ComplianceRecord, ComplianceRequirement
from dreamery.models.documents import DocumentInstance, DocumentTemplate, DocumentVariable
from dreamery.models.notifications import Notification
from dreamery.models.organizations import Invitation, Membership, Organization
from dreamery.models.rbac import Permission, RolePermission
from dreamery.models.tasks import Reminder, Task
from dreamery.models.users import User, UserProfile
from dreamery.models.workflows import (
    RunEvent,
    StepRun,
    ValidationRule,
    Workflow,
    WorkflowRun,
    WorkflowStep,
    WorkflowVersion,
)

__all__ = [
    "AnalyticsDashboard",
    "AnalyticsMetric",
    "AuditLog",
    "Base",
    "Case",
    "CaseKeyDate",
    "CaseParticipant",
    "ComplianceEvidence",
    "ComplianceRecord",
    "ComplianceRequirement",
    "DashboardWidget",
    "DocumentInstance",
    "DocumentTemplate",
    "DocumentVariable",
    "HubSetting",
    "Invitation",
    "Membership",
    "Notification",
    "Organization",
    "Permission",
    "ProfessionalCategory",
    "RefreshToken",
    "Reminder",
    "RolePermission",
    "RunEvent",
    "StepRun",
    "Task",
    "User",
    "UserProfile",
    "UserRole",
    "ValidationRule",
    "Workflow",
    "WorkflowRun",
    "WorkflowStep",
    "WorkflowVersion",
]

# Row security on PostgreSQL covers the tables above: imported last, once they all exist.
import dreamery.models.row_security  # noqa: F401
