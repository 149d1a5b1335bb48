"""Workflow specs: workflows of a role, their ordered steps and validation rules."""

from __future__ import annotations

from typing import get_args

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud
from dreamery.core.context import Caller
from dreamery.core.entities import EntitySpec, Input, Ownership, Tenancy
from dreamery.models import ValidationRule, Workflow, WorkflowStep
from dreamery.models.enums import Resource
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
