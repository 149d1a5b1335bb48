"""Every enumeration of the catalogue, shared by the tables (CHECK constraints) and the schemas."""

from __future__ import annotations

from enum import StrEnum

# The access vocabulary is the core's; the tables' CHECK constraints list it from here too.
from dreamery.core.context import PermissionAction as PermissionAction
from dreamery.core.context import PermissionScope as PermissionScope


class StepKind(StrEnum):
    """What doing a workflow step means."""

    TASK = "task"  # checked off
    DATA = "data"  # fields filled, judged by the step's validation rules
    DOCUMENT = "document"  # a document instance of a given template attached
    APPROVAL = "approval"  # a reviewer passes it or returns it
    MILESTONE = "milestone"  # a key date reached or recorded


class StepRunStatus(StrEnum):
    """Where one step of one workflow run stands."""

    BLOCKED = "blocked"  # a step it depends on is not done or skipped yet
    READY = "ready"
    IN_PROGRESS = "in_progress"  # started; for an approval step, submitted for review
    DONE = "done"
    SKIPPED = "skipped"  # an optional step, with a reason
    RETURNED = "returned"  # sent back by the reviewer, with a note


class RunStatus(StrEnum):
    """Where one run of a workflow on a case stands."""

    ACTIVE = "active"
    COMPLETED = "completed"  # every required step done
    CANCELLED = "cancelled"


class RunEventKind(StrEnum):
    """What one entry of a run's event log records."""

    STARTED = "started"
    UNBLOCKED = "unblocked"  # what it waited for is done
    BLOCKED = "blocked"  # what it waited for was reopened
    ASSIGNED = "assigned"
    BEGUN = "begun"
    SUBMITTED = "submitted"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    REOPENED = "reopened"
    APPROVED = "approved"
    RETURNED = "returned"
    DUE_MOVED = "due_moved"
    UPGRADED = "upgraded"
    RUN_COMPLETED = "run_completed"
    CANCELLED = "cancelled"


class ValidationRuleType(StrEnum):
    REQUIRED = "required"
    MIN_LENGTH = "min_length"
    MAX_LENGTH = "max_length"
    MIN_VALUE = "min_value"
    MAX_VALUE = "max_value"
    PATTERN = "pattern"
    EMAIL = "email"
    ONE_OF = "one_of"
    DATE_RANGE = "date_range"


class TemplateCategory(StrEnum):
    CONTRACT = "contract"
    FORM = "form"
    AGREEMENT = "agreement"
    DISCLOSURE = "disclosure"
    REPORT = "report"
    TEMPLATE = "template"


class VariableType(StrEnum):
    STRING = "string"
    TEXT = "text"
    NUMBER = "number"
    CURRENCY = "currency"
    PERCENT = "percent"
    DATE = "date"
    BOOLEAN = "boolean"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    SELECT = "select"


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    SIGNED = "signed"
    EXPIRED = "expired"
    ARCHIVED = "archived"


class ComplianceCategory(StrEnum):
    LICENSING = "licensing"
    INSURANCE = "insurance"
    TRAINING = "training"
    BACKGROUND_CHECK = "background_check"
    CONTINUING_EDUCATION = "continuing_education"
    FINANCIAL = "financial"


class Frequency(StrEnum):
    ONCE = "once"
    ANNUALLY = "annually"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    DAILY = "daily"


class ComplianceStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    FAILED = "failed"
    EXPIRED = "expired"


class MetricCategory(StrEnum):
    PERFORMANCE = "performance"
    PRODUCTIVITY = "productivity"
    QUALITY = "quality"
    FINANCIAL = "financial"
    COMPLIANCE = "compliance"
    USER_ENGAGEMENT = "user_engagement"


class WidgetType(StrEnum):
    KPI = "kpi"
    CHART = "chart"
    TABLE = "table"
    LIST = "list"


class TaskStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class ReminderChannel(StrEnum):
    EMAIL = "email"
    PUSH = "push"
    SMS = "sms"
    IN_APP = "in_app"


class NotificationType(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"
    REMINDER = "reminder"


class Resource(StrEnum):
    """What a permission is about: one per entity a user can act on."""

    USER = "user"
    PROFILE = "profile"
    CATEGORY = "category"
    ROLE = "role"
    PERMISSION = "permission"
    ROLE_PERMISSION = "role_permission"
    WORKFLOW = "workflow"
    DOCUMENT_TEMPLATE = "document_template"
    DOCUMENT_INSTANCE = "document_instance"
    COMPLIANCE_REQUIREMENT = "compliance_requirement"
    COMPLIANCE_RECORD = "compliance_record"
    METRIC = "metric"
    DASHBOARD = "dashboard"
    TASK = "task"
    REMINDER = "reminder"
    NOTIFICATION = "notification"
    AUDIT_LOG = "audit_log"
    ORGANIZATION = "organization"
    MEMBERSHIP = "membership"
    INVITATION = "invitation"
    CASE = "case"


class AuditAction(StrEnum):
    """What an audit row records: a generic write, or the named operation that was done."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"
    PURGE = "purge"
    APPROVE = "approve"
    DENIED = "denied"
    LOGIN = "login"
    SEED = "seed"
    CHANGE_STATUS = "change_status"
    SUBMIT = "submit"
    RETURN = "return"
    VERIFY = "verify"
    FAIL = "fail"
    RESUBMIT = "resubmit"
    MARK_READ = "mark_read"
    MARK_UNREAD = "mark_unread"
    ACCEPT = "accept"
    CHANGE_ROLE = "change_role"
    REMOVE = "remove"


class OrganizationKind(StrEnum):
    BROKERAGE = "brokerage"
    TITLE_ESCROW = "title-escrow"
    LENDER = "lender"
    LAW_FIRM = "law-firm"
    CONTRACTOR = "contractor"
    PROPERTY_MANAGER = "property-manager"
    APPRAISAL = "appraisal"
    OTHER = "other"


class OrgRole(StrEnum):
    """A member's standing in their organization, on top of their professional role."""

    OWNER = "owner"
    ADMIN = "admin"
    REVIEWER = "reviewer"
    MEMBER = "member"


class MembershipStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    REMOVED = "removed"


class CaseKind(StrEnum):
    PURCHASE = "purchase"
    SALE = "sale"
    LEASE = "lease"
    REFINANCE = "refinance"
    INSPECTION = "inspection"
    APPRAISAL = "appraisal"
    RENOVATION = "renovation"
    EXCHANGE = "exchange"
    OTHER = "other"


class CaseStatus(StrEnum):
    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class CaseRole(StrEnum):
    """What a participant is to a case; `other` covers what the list does not name yet."""

    LISTING_AGENT = "listing_agent"
    BUYERS_AGENT = "buyers_agent"
    TRANSACTION_COORDINATOR = "transaction_coordinator"
    LENDER = "lender"
    LOAN_OFFICER = "loan_officer"
    APPRAISER = "appraiser"
    INSPECTOR = "inspector"
    TITLE_OFFICER = "title_officer"
    ESCROW_OFFICER = "escrow_officer"
    ATTORNEY = "attorney"
    CONTRACTOR = "contractor"
    PROPERTY_MANAGER = "property_manager"
    CLIENT = "client"
    OTHER = "other"
