"""Workflow specs: workflows of a role, their ordered steps and validation rules."""

from __future__ import annotations

from typing import get_args

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from dreamery.core import crud
from dreamery.core.context import Caller
from dreamery.core.entities import EntityId, EntitySpec, Input, Ownership, Tenancy
from dreamery.core.errors import FieldError, ValidationError
from dreamery.core.schemas import PlaybookCopy
from dreamery.models import ValidationRule, Workflow, WorkflowStep
from dreamery.models.enums import AuditAction, Resource, StepKind
from dreamery.workflows.schemas import (
    OrderedSort,
    ValidationRuleCreate,
    ValidationRuleFilters,
    ValidationRuleRead,
    ValidationRuleUpdate,
    WorkflowCreate,
    WorkflowFilters,
    WorkflowRead,
    WorkflowSort,
    WorkflowStepCreate,
    WorkflowStepFilters,
    WorkflowStepRead,
    WorkflowStepUpdate,
    WorkflowUpdate,
    check_step_kind,
)

WORKFLOWS: EntitySpec[Workflow, WorkflowRead] = EntitySpec(
    name="workflow",
    model=Workflow,
    resource=Resource.WORKFLOW,
    create_schema=WorkflowCreate,
    update_schema=WorkflowUpdate,
    read_schema=WorkflowRead,
    filters=WorkflowFilters,
    sorts=frozenset(get_args(WorkflowSort)),
    owner=Ownership("role_id", "role_id", per_organization=True),
    tenancy=Tenancy(shared=True),
    group="Workflows",
    row_label=lambda workflow: workflow.name,
    list_columns=(
        "name",
        "slug",
        "role_id",
        "is_active",
    ),
)

WORKFLOW_STEPS: EntitySpec[WorkflowStep, WorkflowStepRead] = EntitySpec(
    name="workflow_step",
    model=WorkflowStep,
    resource=Resource.WORKFLOW,
    create_schema=WorkflowStepCreate,
    update_schema=WorkflowStepUpdate,
    read_schema=WorkflowStepRead,
    filters=WorkflowStepFilters,
    sorts=frozenset(get_args(OrderedSort)),
    default_sort="order",
    descending=False,
    parent=(WORKFLOWS, "workflow_id"),
    group="Workflows",
    row_label=lambda step: step.name,
    list_columns=(
        "workflow_id",
        "order",
        "name",
        "kind",
        "is_required",
        "estimated_duration",
    ),
)

VALIDATION_RULES: EntitySpec[ValidationRule, ValidationRuleRead] = EntitySpec(
    name="validation_rule",
    model=ValidationRule,
    resource=Resource.WORKFLOW,
    create_schema=ValidationRuleCreate,
    update_schema=ValidationRuleUpdate,
    read_schema=ValidationRuleRead,
    filters=ValidationRuleFilters,
    sorts=frozenset(get_args(OrderedSort)),
    default_sort="order",
    descending=False,
    parent=(WORKFLOW_STEPS, "step_id"),
    group="Workflows",
    row_label=lambda rule: f"{rule.field}: {rule.rule_type}",
    list_columns=(
        "step_id",
        "field",
        "rule_type",
        "value",
        "order",
    ),
)


@WORKFLOWS.creates
async def create_workflow(session: AsyncSession, caller: Caller, data: Input) -> Workflow:
    """A workflow with its steps and their rules, in one transaction."""
    payload = crud.parse(WorkflowCreate, data)
    workflow: Workflow = await crud.create(session, caller, WORKFLOWS, payload)
    for step in payload.steps:
        fields = step.model_dump(exclude={"validation_rules"})
        created = await crud.create(
            session, caller, WORKFLOW_STEPS, {**fields, "workflow_id": workflow.id}
        )
        for rule in step.validation_rules:
            await crud.create(
                session, caller, VALIDATION_RULES, {**rule.model_dump(), "step_id": created.id}
            )
    return workflow


@WORKFLOW_STEPS.updates
async def update_workflow_step(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    data: Input,
    *,
    expected_version: int | None = None,
) -> WorkflowStep:
    """A partial update that leaves the step whole: a document step keeps a template and a
    milestone its key date, whichever fields the change touched (else nothing is kept)."""
    step: WorkflowStep = await crud.update(
        session, caller, WORKFLOW_STEPS, entity_id, data, expected_version=expected_version
    )
    try:
        check_step_kind(StepKind(step.kind), step.template_id, step.key_date)
    except ValueError as error:
        field, _, message = str(error).partition(": ")
        raise ValidationError([FieldError(field, message)]) from None
    if step.kind != StepKind.DATA and await _has_rules(session, step):
        raise ValidationError(
            [
                FieldError(
                    "kind",
                    f"the step has validation rules, which judge a data step only: delete "
                    f"them to make it a {step.kind} step",
                )
            ]
        )
    return step


async def _has_rules(session: AsyncSession, step: WorkflowStep) -> bool:
    found = await session.scalar(
        select(func.count()).select_from(ValidationRule).where(ValidationRule.step_id == step.id)
    )
    return bool(found)


@VALIDATION_RULES.creates
async def create_validation_rule(
    session: AsyncSession, caller: Caller, data: Input
) -> ValidationRule:
    """A rule of a data step (other kinds take no data to judge)."""
    rule: ValidationRule = await crud.create(session, caller, VALIDATION_RULES, data)
    step: WorkflowStep = await crud.load(session, caller, WORKFLOW_STEPS, rule.step_id)
    if step.kind != StepKind.DATA:
        raise ValidationError(
            [
                FieldError(
                    "step_id",
                    f"step {step.order} ({step.name}) is a {step.kind} step; rules judge a "
                    "data step's submission",
                )
            ]
        )
    return rule


@WORKFLOWS.action("copy", input=PlaybookCopy, label="Copy to my organization", owns=set())
async def copy_workflow(
    session: AsyncSession, caller: Caller, workflow_id: EntityId, copy: PlaybookCopy
) -> Workflow:
    """Copy a workflow, its steps and their rules into the acting user's organization, to
    adapt it there (the copy is the organization's; the original stays as it is)."""
    source: Workflow = await crud.load(
        session,
        caller,
        WORKFLOWS,
        workflow_id,
        options=[selectinload(Workflow.steps).selectinload(WorkflowStep.validation_rules)],
    )
    steps = sorted(source.steps, key=lambda step: step.order)
    made = await create_workflow(
        session,
        caller,
        {
            "name": copy.name or source.name,
            "description": source.description,
            "role_id": source.role_id,
            "is_active": source.is_active,
            "steps": [
                {
                    "name": step.name,
                    "description": step.description,
                    "order": step.order,
                    "kind": step.kind,
                    "is_required": step.is_required,
                    "case_role": step.case_role,
                    "due_rule": step.due_rule,
                    "template_id": step.template_id,
                    "key_date": step.key_date,
                    "data": step.data,
                    "required_fields": step.required_fields,
                    "estimated_duration": step.estimated_duration,
                    "validation_rules": [
                        {
                            "field": rule.field,
                            "rule_type": rule.rule_type,
                            "value": rule.value,
                            "message": rule.message,
                            "order": rule.order,
                        }
                        for rule in step.validation_rules
                    ],
                }
                for step in steps
            ],
        },
    )
    # A step's dependencies name steps of its own workflow: point them at the copies.
    copies = {
        step.order: step
        for step in await session.scalars(
            select(WorkflowStep).where(WorkflowStep.workflow_id == made.id)
        )
    }
    new_id = {str(step.id): str(copies[step.order].id) for step in steps}
    for step in steps:
        if step.dependencies:
            await crud.apply(
                session,
                caller,
                WORKFLOW_STEPS,
                copies[step.order],
                {"dependencies": [new_id.get(str(d), str(d)) for d in step.dependencies]},
                action=AuditAction.UPDATE,
            )
    return made
