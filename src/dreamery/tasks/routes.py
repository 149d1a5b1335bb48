"""Tasks and reminders over HTTP: `/api/v1/tasks`, `/api/v1/reminders`, and a task's status
at `POST /api/v1/tasks/{id}/status`."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.core.http import mount_entity
from dreamery.tasks.service import REMINDERS, TASKS

router = APIRouter()
mount_entity(router, TASKS)
mount_entity(router, REMINDERS)
