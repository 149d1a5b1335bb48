"""A task's status moves only by `change_task_status`, by its rules, under its own audit action."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import ConflictError, NotFoundError, ValidationError

pytestmark = pytest.mark.usefixtures("backend")


async def person(db: DatabaseService, role: str = "handyman") -> Any:
    return await db.create_user(
        {
            "email": f"pat.{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Pat",
            "last_name": "Tester",
            "role_id": role,
        }
    )


async def test_a_generic_update_cannot_touch_the_status(db: DatabaseService) -> None:
    owner = await person(db)
    task = await db.create_task({"title": "Fix", "role_id": "handyman", "user_id": str(owner.id)})
    for change in ({"status": "completed"}, {"completed_at": "2026-12-01T10:00:00Z"}):
        with pytest.raises(ValidationError) as refused:
            await db.update_task(task.id, change)
        (error,) = refused.value.errors
        assert error.field == next(iter(change))
        assert "change_task_status" in error.message
    with pytest.raises(ValidationError, match="change_task_status"):
        await db.create_task(
            {
                "title": "Done",
                "role_id": "handyman",
                "user_id": str(owner.id),
                "status": "completed",
            }
        )
    unchanged = await db.find_task_by_id(task.id)
    assert (unchanged.status, unchanged.completed_at, unchanged.version) == ("pending", None, 1)


async def test_the_status_moves_by_its_rules(db: DatabaseService) -> None:
    owner = await person(db)
    task = await db.create_task({"title": "Fix", "role_id": "handyman", "user_id": str(owner.id)})
    done = await db.change_task_status(task.id, "completed")
    assert (done.status, done.version) == ("completed", 2)
    assert done.completed_at is not None
    with pytest.raises(ConflictError, match="cannot become cancelled"):
        await db.change_task_status(task.id, "cancelled")
    with pytest.raises(ConflictError, match="changed since version 1"):
        await db.change_task_status(task.id, "in_progress", expected_version=1)
    reopened = await db.change_task_status(task.id, "in_progress", expected_version=2)
    assert (reopened.status, reopened.completed_at) == ("in_progress", None)
    with pytest.raises(ValidationError, match="status"):
        await db.change_task_status(task.id, "someday")

    trail = await db.find_audit_logs(resource="task", resource_id=str(task.id))
    changes = [(r.action, r.changes) for r in trail.items if r.action == "change_status"]
    assert [c["status"] for _, c in changes] == [
        ["completed", "in_progress"],
        ["pending", "completed"],
    ]


async def test_only_whoever_may_update_the_task_moves_it(db: DatabaseService) -> None:
    owner, stranger = await person(db), await person(db)
    manager = await person(db, "property-manager")  # task:update:any for their crews
    task = await db.create_task({"title": "Fix", "role_id": "handyman", "user_id": str(owner.id)})
    with pytest.raises(NotFoundError):
        await db.acting_as(stranger.id).change_task_status(task.id, "completed")
    moved = await db.acting_as(manager.id).change_task_status(task.id, "in_progress")
    assert moved.status == "in_progress"
    assert (await db.acting_as(owner.id).change_task_status(task.id, "completed")).completed_at
