"""Workflow specs: workflows of a role, their ordered steps and validation rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud
from dreamery.core.crud import Caller, EntitySpec, Ownership
from dreamery.models import ValidationRule, Workflow, WorkflowStep
from dreamery.models.enums import Resource
from dreamery.workflows.schemas import (
    ValidationRuleCreate,
    ValidationRuleRead,
    ValidationRuleUpdate,
    WorkflowCreate,
    WorkflowRead,
    WorkflowStepCreate,
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
    owner=Ownership("role_id", "role_id"),
    filters=frozenset({"role_id", "is_active", "slug"}),
    sorts=frozenset({"created_at", "name"}),
)

WORKFLOW_STEPS: EntitySpec[WorkflowStep, WorkflowStepRead] = EntitySpec(
    name="workflow_step",
    model=WorkflowStep,
    resource=Resource.WORKFLOW,
    create_schema=WorkflowStepCreate,
    update_schema=WorkflowStepUpdate,
    read_schema=WorkflowStepRead,
    parent=(WORKFLOWS, "workflow_id"),
    filters=frozenset({"workflow_id", "status"}),
    sorts=frozenset({"order", "created_at"}),
    default_sort="order",
    descending=False,
)

VALIDATION_RULES: EntitySpec[ValidationRule, ValidationRuleRead] = EntitySpec(
    name="validation_rule",
    model=ValidationRule,
    resource=Resource.WORKFLOW,
    create_schema=ValidationRuleCreate,
    update_schema=ValidationRuleUpdate,
    read_schema=ValidationRuleRead,
    parent=(WORKFLOW_STEPS, "step_id"),
    filters=frozenset({"step_id", "rule_type"}),
    sorts=frozenset({"order", "created_at"}),
    default_sort="order",
    descending=False,
)


async def create_workflow(session: AsyncSession, caller: Caller, data: Any) -> Workflow:
    """A workflow with its steps and their rules, in one transaction."""
    payload = crud.parse(WorkflowCreate, data)
    assert isinstance(payload, WorkflowCreate)
    workflow = await crud.create(session, caller, WORKFLOWS, payload)
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
