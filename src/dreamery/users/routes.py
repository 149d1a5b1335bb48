"""People over HTTP: `/api/v1/users` (with `q`, the ranked search) and `/api/v1/profiles`."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.core.http import mount_entity
from dreamery.users.service import PROFILES, USERS

router = APIRouter()
mount_entity(router, USERS)
mount_entity(router, PROFILES)
