"""Workflow, step and validation-rule schemas."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator
from typing_extensions import TypedDict

from dreamery.core.schemas import (
    Description,
    InputSchema,
    JsonObject,
    Name,
    Slug,
    UpdateSchema,
    VersionedRead,
)
from dreamery.models.enums import StepStatus, ValidationRuleType

FieldName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

WorkflowSort = Literal["created_at", "name"]
OrderedSort = Literal["order", "created_at"]
# A step's progress belongs to one run of the workflow on one deal, not to the definition
# every deal shares.
STEP_STATUS = {
    "status": "is the progress of a run of the workflow, not part of its definition; a "
    "definition's steps carry no status of their own"
}


class WorkflowFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    role_id: str
    is_active: bool
    slug: str


class WorkflowStepFilters(TypedDict, total=False):
    workflow_id: uuid.UUID
    status: StepStatus


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


class WorkflowStepFields(InputSchema):
    reserved_fields = STEP_STATUS

    name: Name
    description: Description | None = None
    order: int = Field(ge=1)
    data: JsonObject | None = None
    required_fields: list[FieldName] = Field(default_factory=list, max_length=50)
    estimated_duration: int | None = Field(default=None, ge=0, description="minutes")
    dependencies: list[uuid.UUID] = Field(default_factory=list)
    validation_rules: list[ValidationRuleFields] = Field(default_factory=list)


class WorkflowStepCreate(WorkflowStepFields):
    workflow_id: uuid.UUID


class WorkflowStepUpdate(UpdateSchema):
    reserved_fields = STEP_STATUS

    name: Name | None = None
    description: Description | None = None
    order: int | None = Field(default=None, ge=1)
    data: JsonObject | None = None
    required_fields: list[FieldName] | None = None
    estimated_duration: int | None = Field(default=None, ge=0)
    dependencies: list[uuid.UUID] | None = None


class WorkflowStepRead(VersionedRead):
    workflow_id: uuid.UUID
    name: str
    description: str | None
    order: int
    status: StepStatus
    data: dict[str, Any] | None
    required_fields: list[str]
    estimated_duration: int | None
    dependencies: list[str]


class WorkflowCreate(InputSchema):
    name: Name
    description: Description | None = None
    role_id: Slug
    is_active: bool = True
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


class WorkflowRead(VersionedRead):
    organization_id: uuid.UUID | None
    slug: str | None
    name: str
    description: str | None
    role_id: str
    is_active: bool
    deleted_at: datetime | None
