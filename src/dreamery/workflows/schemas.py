"""Workflow, step and validation-rule schemas."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from typing_extensions import TypedDict

from dreamery.cases.schemas import KeyDateName
from dreamery.core.schemas import (
    Description,
    InputSchema,
    JsonObject,
    Name,
    ReadSchema,
    Slug,
    UpdateSchema,
    VersionedRead,
    VersionInput,
)
from dreamery.models.enums import (
    CaseKind,
    CaseRole,
    RunEventKind,
    RunStatus,
    StepKind,
    StepRunStatus,
    ValidationRuleType,
)
from dreamery.workflows.deadlines import DueRule

FieldName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

# A step another depends on, kept in a JSON list: its id as text.
StepRef = Annotated[uuid.UUID, PlainSerializer(str, return_type=str)]

WorkflowSort = Literal["created_at", "name"]
OrderedSort = Literal["order", "created_at"]
# A step's progress belongs to one run of the workflow on one deal, not to the definition
# every deal shares.
STEP_STATUS = {
    "status": "is the progress of a run of the workflow, not part of its definition; a "
    "definition's steps carry no status of their own (see a case's runs)"
}


class WorkflowFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    role_id: str
    is_active: bool
    slug: str


class WorkflowStepFilters(TypedDict, total=False):
    workflow_id: uuid.UUID
    kind: StepKind


class ValidationRuleFilters(TypedDict, total=False):
    step_id: uuid.UUID
    rule_type: ValidationRuleType


_NO_VALUE = {ValidationRuleType.REQUIRED, ValidationRuleType.EMAIL}
_LENGTH = {ValidationRuleType.MIN_LENGTH, ValidationRuleType.MAX_LENGTH}
_BOUND = {ValidationRuleType.MIN_VALUE, ValidationRuleType.MAX_VALUE}


def _date_bound(value: Any) -> bool:
    if value == "today":
        return True
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check_rule_value(rule_type: ValidationRuleType, value: Any) -> None:
    """Raise ValueError unless `value` is the parameter `rule_type` needs."""
    if rule_type in _NO_VALUE:
        if value is not None:
            raise ValueError(f"a '{rule_type}' rule takes no value")
    elif rule_type in _LENGTH:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"a '{rule_type}' rule needs a non-negative integer value")
    elif rule_type in _BOUND:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"a '{rule_type}' rule needs a number value")
    elif rule_type is ValidationRuleType.PATTERN:
        if not isinstance(value, str) or not value:
            raise ValueError("a 'pattern' rule needs a regular expression value")
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"invalid regular expression: {error}") from None
    elif rule_type is ValidationRuleType.ONE_OF:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise ValueError("a 'one_of' rule needs a non-empty list of strings")
    elif rule_type is ValidationRuleType.DATE_RANGE:
        if not isinstance(value, dict) or not value or set(value) - {"min", "max"}:
            raise ValueError("a 'date_range' rule needs {'min': ..., 'max': ...} (one or both)")
        if not all(_date_bound(bound) for bound in value.values()):
            raise ValueError("date_range bounds are 'today' or an ISO date (YYYY-MM-DD)")


class ValidationRuleFields(InputSchema):
    field: FieldName
    rule_type: ValidationRuleType
    value: Any = None
    message: Message
    order: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _value_fits_type(self) -> ValidationRuleFields:
        check_rule_value(self.rule_type, self.value)
        return self


class ValidationRuleCreate(ValidationRuleFields):
    step_id: uuid.UUID


class ValidationRuleUpdate(UpdateSchema):
    field: FieldName | None = None
    rule_type: ValidationRuleType | None = None
    value: Any = None
    message: Message | None = None
    order: int | None = Field(default=None, ge=0)


class ValidationRuleRead(VersionedRead):
    step_id: uuid.UUID
    field: str
    rule_type: ValidationRuleType
    value: Any
    message: str
    order: int


def check_step_kind(
    kind: StepKind | None, template_id: uuid.UUID | None, key_date: str | None
) -> None:
    """Raise ValueError unless a step of `kind` names what its kind needs, and only that."""
    if kind is None:
        return
    if kind is StepKind.DOCUMENT and template_id is None:
        raise ValueError("template_id: a document step names the template of its document")
    if kind is not StepKind.DOCUMENT and template_id is not None:
        raise ValueError(f"template_id: only a document step has one, not a {kind} step")
    if kind is StepKind.MILESTONE and key_date is None:
        raise ValueError("key_date: a milestone names the key date it records")
    if kind is not StepKind.MILESTONE and key_date is not None:
        raise ValueError(f"key_date: only a milestone records a key date, not a {kind} step")


def field_error(model: str, problem: ValueError) -> PydanticValidationError:
    """A "field: message" problem as the validation error of that field."""
    field, _, message = str(problem).partition(": ")
    details = InitErrorDetails(
        type=PydanticCustomError("step_kind", message), loc=(field,), input=None
    )
    return PydanticValidationError.from_exception_data(model, [details])


class WorkflowStepFields(InputSchema):
    reserved_fields = STEP_STATUS

    name: Name
    description: Description | None = None
    order: int = Field(ge=1)
    kind: StepKind | None = Field(
        default=None,
        description="what doing it means; when not given, a data step if it has rules or "
        "required fields, else a task",
    )
    is_required: bool = True
    case_role: CaseRole | None = Field(
        default=None, description="who on the case does it (else the run's owner)"
    )
    due_rule: DueRule | None = None
    template_id: uuid.UUID | None = Field(default=None, description="a document step's template")
    key_date: KeyDateName | None = Field(default=None, description="a milestone's key date")
    data: JsonObject | None = None
    required_fields: list[FieldName] = Field(default_factory=list, max_length=50)
    estimated_duration: int | None = Field(default=None, ge=0, description="minutes")
    dependencies: list[StepRef] = Field(default_factory=list)
    validation_rules: list[ValidationRuleFields] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits_kind(self) -> WorkflowStepFields:
        if self.kind is None:
            asks = self.validation_rules or self.required_fields
            self.kind = StepKind.DATA if asks else StepKind.TASK
        try:
            check_step_kind(self.kind, self.template_id, self.key_date)
            if self.validation_rules and self.kind is not StepKind.DATA:
                raise ValueError(
                    f"validation_rules: rules judge a data step's submission, not a {self.kind} "
                    "step's"
                )
        except ValueError as problem:
            raise field_error(type(self).__name__, problem) from None
        return self


class WorkflowStepCreate(WorkflowStepFields):
    workflow_id: uuid.UUID


class WorkflowStepUpdate(UpdateSchema):
    reserved_fields = STEP_STATUS

    name: Name | None = None
    description: Description | None = None
    order: int | None = Field(default=None, ge=1)
    kind: StepKind | None = None
    is_required: bool | None = None
    case_role: CaseRole | None = None
    due_rule: DueRule | None = None
    template_id: uuid.UUID | None = None
    key_date: KeyDateName | None = None
    data: JsonObject | None = None
    required_fields: list[FieldName] | None = None
    estimated_duration: int | None = Field(default=None, ge=0)
    dependencies: list[StepRef] | None = None


class WorkflowStepRead(VersionedRead):
    workflow_id: uuid.UUID
    name: str
    description: str | None
    order: int
    kind: StepKind
    is_required: bool
    case_role: CaseRole | None
    due_rule: dict[str, Any] | None
    template_id: uuid.UUID | None
    key_date: str | None
    data: dict[str, Any] | None
    required_fields: list[str]
    estimated_duration: int | None
    dependencies: list[str]


class WorkflowCreate(InputSchema):
    name: Name
    description: Description | None = None
    role_id: Slug
    is_active: bool = True
    default_for: list[CaseKind] = Field(
        default_factory=list, description="case kinds that start it when a case is opened"
    )
    slug: Slug | None = None
    steps: list[WorkflowStepFields] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _distinct_orders(self) -> WorkflowCreate:
        orders = [step.order for step in self.steps]
        if len(orders) != len(set(orders)):
            raise ValueError("steps: two steps share an order")
        return self


class WorkflowUpdate(UpdateSchema):
    name: Name | None = None
    description: Description | None = None
    role_id: Slug | None = None
    is_active: bool | None = None
    default_for: list[CaseKind] | None = Field(
        default=None, description="case kinds that start it when a case is opened"
    )


class WorkflowRead(VersionedRead):
    organization_id: uuid.UUID | None
    slug: str | None
    name: str
    description: str | None
    role_id: str
    is_active: bool
    default_for: list[CaseKind]
    deleted_at: datetime | None


# --- runs --------------------------------------------------------------------------------

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
RunSort = Literal["started_at", "created_at"]


class RunFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    workflow_id: uuid.UUID
    owner_id: uuid.UUID
    status: RunStatus


class StepRunFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    run_id: uuid.UUID
    case_id: uuid.UUID
    assignee_id: uuid.UUID
    status: StepRunStatus
    kind: StepKind


class RunEventFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    run_id: uuid.UUID
    case_id: uuid.UUID
    kind: RunEventKind
    actor_id: uuid.UUID


class RunStart(InputSchema):
    """Run a workflow on the case: its steps as they stand now, for as long as the run
    lasts. The owner answers for it and does the steps no case role claims (the caller,
    by default; someone taking part in the case)."""

    workflow_id: uuid.UUID
    owner_id: uuid.UUID | None = None


class RunCancel(VersionInput):
    """Stop the run: its open steps stay as they are and their tasks are cancelled."""

    reason: Reason | None = None


class RunUpgrade(VersionInput):
    """Move the run to its workflow's newest definition, keeping what was done."""


class StepBegin(VersionInput):
    """A ready step under way."""


class StepSubmit(VersionInput):
    """A step's input: the fields of a data step (every rule is checked, and nothing is
    kept unless all pass), the document of a document step, or an approval step's work,
    sent for review."""

    data: JsonObject = Field(default_factory=dict)
    document_id: uuid.UUID | None = None
    note: Note | None = None


class StepComplete(VersionInput):
    """A step checked off; a milestone may record the day its key date fell on."""

    falls_on: date | None = Field(default=None, description="a milestone's key date")
    note: Note | None = None


class StepSkip(VersionInput):
    """Pass over an optional step, saying why."""

    reason: Reason


class StepReopen(VersionInput):
    """A finished step to be done again; what depends on it waits again."""

    reason: Reason | None = None


class StepReview(VersionInput):
    """A reviewer's verdict on an approval step; a return says what to change."""

    note: Note | None = None


class StepAssign(VersionInput):
    """Who does the step: someone taking part in the case."""

    assignee_id: uuid.UUID


class RunSummaryRead(VersionedRead):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    workflow_id: uuid.UUID
    workflow_version_id: uuid.UUID
    owner_id: uuid.UUID | None
    status: RunStatus
    started_by: uuid.UUID | None
    started_at: datetime
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class StepRunRead(VersionedRead):
    organization_id: uuid.UUID
    run_id: uuid.UUID
    case_id: uuid.UUID
    step_key: str
    order: int
    name: str
    kind: StepKind
    status: StepRunStatus
    assignee_id: uuid.UUID | None
    due_on: date | None
    data: dict[str, Any] | None
    document_id: uuid.UUID | None
    submitted_by: uuid.UUID | None
    submitted_at: datetime | None
    completed_by: uuid.UUID | None
    completed_at: datetime | None
    skip_reason: str | None
    review_note: str | None
    task_id: uuid.UUID | None


class RunEventRead(ReadSchema):
    id: uuid.UUID
    organization_id: uuid.UUID
    run_id: uuid.UUID
    case_id: uuid.UUID
    sequence: int
    kind: RunEventKind
    step_key: str | None
    actor_id: uuid.UUID | None
    from_status: str | None
    to_status: str | None
    note: str | None
    details: dict[str, Any]
    at: datetime


class RuleView(BaseModel):
    """One of a data step's rules, as the run's definition version has it."""

    field: str
    rule_type: ValidationRuleType
    value: Any = None
    message: str


class StepView(BaseModel):
    """One step of a run, with what its definition says of it."""

    id: uuid.UUID
    number: int
    key: str
    name: str
    description: str | None
    kind: StepKind
    required: bool
    status: StepRunStatus
    depends_on: list[int]
    case_role: CaseRole | None
    assignee_id: uuid.UUID | None
    due_on: date | None
    due_rule: str | None = Field(description="the due rule in words")
    due: DueRule | None = Field(description="the due rule itself")
    key_date: KeyDateName | None = Field(description="a milestone's: the key date it records")
    template_id: uuid.UUID | None = Field(description="a document step's: its template")
    rules: list[RuleView] = Field(description="a data step's: what its submission must pass")
    overdue: bool
    estimated_duration: int | None
    required_fields: list[str]
    data: dict[str, Any] | None
    document_id: uuid.UUID | None
    submitted_by: uuid.UUID | None
    submitted_at: datetime | None
    completed_by: uuid.UUID | None
    completed_at: datetime | None
    skip_reason: str | None
    review_note: str | None
    task_id: uuid.UUID | None
    version: int


class DueStep(BaseModel):
    number: int
    name: str
    due_on: date


class ProgressRead(BaseModel):
    """How far the run is: finished (done or skipped) of all steps, required steps not done,
    the estimated minutes of the steps still to do, the next step due, the overdue ones."""

    finished: int
    total: int
    percent: int
    required_left: int
    minutes_left: int
    next_due: DueStep | None
    overdue: list[DueStep]


class RunRead(RunSummaryRead):
    """A run with its checklist and progress."""

    workflow_name: str
    definition_version: int = Field(description="the version of the workflow it runs")
    newest_version: bool = Field(description="whether its workflow was not changed since")
    progress: ProgressRead
    steps: list[StepView]
