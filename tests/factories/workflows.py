"""Workflows, their steps and validation rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import ValidationRule, Workflow, WorkflowStep
from dreamery.models.enums import ValidationRuleType
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
