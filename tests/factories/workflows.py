"""Workflows, their steps and validation rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import (
    Case,
    CaseKeyDate,
    RunEvent,
    StepRun,
    ValidationRule,
    Workflow,
    WorkflowRun,
    WorkflowStep,
    WorkflowVersion,
)
from dreamery.models.enums import RunEventKind, StepKind, StepRunStatus, ValidationRuleType
from tests.factories.base import ROLE, add


async def workflow(session: AsyncSession, **fields: Any) -> Workflow:
    values = {"name": "Inspection Workflow", "role_id": ROLE} | fields
    return await add(session, Workflow(**values))


async def step(session: AsyncSession, **fields: Any) -> WorkflowStep:
    if "workflow_id" not in fields:
        fields["workflow_id"] = (await workflow(session)).id
    return await add(session, WorkflowStep(**({"name": "Walkthrough", "order": 1} | fields)))


async def rule(session: AsyncSession, **fields: Any) -> ValidationRule:
    if "step_id" not in fields:
        fields["step_id"] = (await step(session)).id
    values = {
        "field": "propertyAddress",
        "rule_type": ValidationRuleType.REQUIRED,
        "message": "Enter the address.",
    } | fields
    return await add(session, ValidationRule(**values))


async def run_on(
    session: AsyncSession, case: Case, workflow: Workflow, step: WorkflowStep
) -> tuple[WorkflowRun, StepRun, RunEvent, CaseKeyDate]:
    """A run of `workflow` (one step: `step`) on `case`, as starting it leaves one: its
    version, step run and first event, and a key date of the case."""
    snapshot = {
        "key": str(step.id),
        "order": step.order,
        "name": step.name,
        "description": None,
        "kind": "task",
        "required": True,
        "minutes": None,
        "depends_on": [],
        "case_role": None,
        "due_rule": None,
        "template_id": None,
        "key_date": None,
        "required_fields": [],
        "rules": [],
    }
    version = await add(
        session,
        WorkflowVersion(
            workflow_id=workflow.id, number=1, digest="0" * 64, name=workflow.name, steps=[snapshot]
        ),
    )
    tenant = {"organization_id": case.organization_id, "case_id": case.id}
    run = await add(
        session,
        WorkflowRun(
            workflow_id=workflow.id,
            workflow_version_id=version.id,
            owner_id=case.created_by,
            **tenant,
        ),
    )
    step_run = await add(
        session,
        StepRun(
            run_id=run.id,
            step_key=str(step.id),
            order=step.order,
            name=step.name,
            kind=StepKind.TASK,
            status=StepRunStatus.READY,
            assignee_id=case.created_by,
            **tenant,
        ),
    )
    event = await add(
        session,
        RunEvent(run_id=run.id, sequence=1, kind=RunEventKind.STARTED, **tenant),
    )
    key_date = await add(session, CaseKeyDate(name="closing", falls_on=date(2027, 5, 1), **tenant))
    return run, step_run, event, key_date


async def _run_parts(session: AsyncSession) -> tuple[WorkflowRun, StepRun, RunEvent, CaseKeyDate]:
    from tests.factories.organizations import case as make_case

    made = await workflow(session)
    return await run_on(
        session, await make_case(session), made, await step(session, workflow_id=made.id)
    )


async def workflow_run(session: AsyncSession) -> WorkflowRun:
    return (await _run_parts(session))[0]


async def step_run(session: AsyncSession) -> StepRun:
    return (await _run_parts(session))[1]


async def run_event(session: AsyncSession) -> RunEvent:
    return (await _run_parts(session))[2]
