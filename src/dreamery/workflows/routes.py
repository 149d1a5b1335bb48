"""Workflows over HTTP: `/api/v1/workflows`, `/api/v1/workflow-steps`,
`/api/v1/validation-rules`."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.core.http import mount_entity
from dreamery.workflows.service import VALIDATION_RULES, WORKFLOW_STEPS, WORKFLOWS

router = APIRouter()
for spec in (WORKFLOWS, WORKFLOW_STEPS, VALIDATION_RULES):
    mount_entity(router, spec)
