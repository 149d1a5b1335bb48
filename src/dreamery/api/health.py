"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from dreamery.core.errors import DreameryError
from dreamery.migrations import maintenance
from dreamery.migrations import runner as migrations

router = APIRouter(tags=["health"])


@router.get("/health", summary="The process is up")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="The database answers and is migrated to head")
async def ready(request: Request) -> Any:
    db = request.app.state.db
    try:
        current = await maintenance.current_revision(db.engine)
    except DreameryError as error:
        return JSONResponse({"status": "unavailable", "detail": str(error)}, status_code=503)
    head = migrations.head_revision()
    if current != head:
        return JSONResponse(
            {
                "status": "unavailable",
                "detail": f"database at {current}, code at {head}",
                "revision": current,
                "head": head,
            },
            status_code=503,
        )
    return {"status": "ready", "revision": current, "database": db.engine.dialect.name}
