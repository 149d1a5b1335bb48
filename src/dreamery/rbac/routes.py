"""Access control over HTTP: `/api/v1/permissions` and `/api/v1/role-permissions`."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.core.http import mount_entity
from dreamery.rbac.service import PERMISSIONS, ROLE_PERMISSIONS

router = APIRouter()
mount_entity(router, PERMISSIONS)
mount_entity(router, ROLE_PERMISSIONS)
