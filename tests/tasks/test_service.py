"""A task's status moves only by `change_task_status`, by its rules, under its own audit action."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

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


async def job(db: DatabaseService, manager: Any, *crew: Any) -> str:
    """A renovation case the manager opens, with the crew on it; its id."""
    as_manager = db.acting_as(manager.id)
    case = await as_manager.create_case(
        {"title": "Harbor View, unit 4", "kind": "renovation", "case_role": "property_manager"}
    )
    for member in crew:
        await as_manager.create_case_participant(
            {"case_id": str(case.id), "user_id": str(member.id), "case_role": "contractor"}
        )
    return str(case.id)


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
    manager = await person(db, "property-manager")  # task:update:case on their jobs
    case_id = await job(db, manager, owner)
    task = await db.create_task(
        {"title": "Fix", "role_id": "handyman", "user_id": str(owner.id), "case_id": case_id}
    )
    with pytest.raises(NotFoundError):
        await db.acting_as(stranger.id).change_task_status(task.id, "completed")
    moved = await db.acting_as(manager.id).change_task_status(task.id, "in_progress")
    assert moved.status == "in_progress"
    assert (await db.acting_as(owner.id).change_task_status(task.id, "completed")).completed_at


async def test_reassigning_then_deleting_someone_elses_task_is_refused(
    db: DatabaseService,
) -> None:
    """The probe: a property manager (task:update on the jobs they manage, nobody's
    task:delete beyond their own) took a crew member's task by reassigning it to themselves,
    then deleted it as their own."""
    crew = await person(db)
    manager = await person(db, "property-manager")
    case_id = await job(db, manager, crew)
    task = await db.acting_as(crew.id).create_task(
        {
            "title": "Fix the gutter",
            "role_id": "handyman",
            "user_id": str(crew.id),
            "case_id": case_id,
        }
    )
    as_manager = db.acting_as(manager.id)
    taken = await as_manager.update_task(task.id, {"user_id": str(manager.id)})
    assert taken.user_id == manager.id  # dispatching work is the manager's job
    with pytest.raises(
        PermissionDeniedError, match="you need the permission 'task:delete:case' to delete"
    ):
        await as_manager.delete_task(task.id)
    assert (await db.find_task_by_id(task.id)).deleted_at is None
    # Whoever made a task may delete it (once they can see it again).
    back = await as_manager.update_task(task.id, {"user_id": str(crew.id)})
    await db.acting_as(crew.id).delete_task(back.id)


async def test_the_assignee_of_a_task_someone_else_made_cannot_delete_it(
    db: DatabaseService,
) -> None:
    crew = await person(db)
    manager = await person(db, "property-manager")
    case_id = await job(db, manager, crew)
    task = await db.acting_as(manager.id).create_task(
        {
            "title": "Inspect the boiler",
            "role_id": "handyman",
            "user_id": str(crew.id),
            "case_id": case_id,
        }
    )
    as_crew = db.acting_as(crew.id)
    with pytest.raises(
        PermissionDeniedError, match="you need the permission 'task:delete:case' to delete"
    ):
        await as_crew.delete_task(task.id)
    done = await as_crew.change_task_status(task.id, "completed")  # theirs to do, not to erase
    assert done.status == "completed"
    await db.acting_as(manager.id).delete_task(task.id)


async def test_handing_a_task_to_someone_needs_the_right_to_give_them_one(
    db: DatabaseService,
) -> None:
    first, second = await person(db), await person(db)
    # A role an administrator let edit anyone's task, but give tasks only to themselves.
    for action in ("read", "update"):
        grant = (await db.find_permissions(resource="task", action=action, scope="any")).items
        await db.create_role_permission({"role_id": "arborist", "permission_id": str(grant[0].id)})
    coordinator = await person(db, "arborist")  # task:read/update:any, task:create:own
    manager = await person(db, "property-manager")  # task:create:case on their jobs
    case_id = await job(db, manager, first, second)
    task = await db.create_task(
        {"title": "Order", "role_id": "handyman", "user_id": str(first.id), "case_id": case_id}
    )

    as_coordinator = db.acting_as(coordinator.id)
    renamed = await as_coordinator.update_task(task.id, {"title": "Order the keys"})
    with pytest.raises(PermissionDeniedError) as refused:
        await as_coordinator.update_task(task.id, {"user_id": str(second.id)})
    assert refused.value.details["field"] == "user_id"
    assert "task:create" in str(refused.value)

    # Their own task they may not give away either (task:update:own stops at the owner).
    mine = await db.acting_as(first.id).create_task(
        {"title": "Mine", "role_id": "handyman", "user_id": str(first.id)}
    )
    with pytest.raises(PermissionDeniedError):
        await db.acting_as(first.id).update_task(mine.id, {"user_id": str(second.id)})

    # A manager dispatches the work of their job to anyone on it: task:create:case.
    moved = await db.acting_as(manager.id).update_task(
        task.id, {"user_id": str(second.id)}, expected_version=renamed.version
    )
    assert moved.user_id == second.id
    with pytest.raises(NotFoundError):
        await db.acting_as(first.id).find_task_by_id(task.id)
    unchanged = await db.find_task_by_id(mine.id)
    assert unchanged.user_id == first.id and unchanged.version == 1


async def test_a_task_of_a_case_goes_to_someone_on_it(db: DatabaseService) -> None:
    crew, outsider = await person(db), await person(db)
    manager = await person(db, "property-manager")
    case_id = await job(db, manager, crew)
    as_manager = db.acting_as(manager.id)
    body = {"title": "Paint", "role_id": "handyman", "case_id": case_id}
    with pytest.raises(ValidationError) as refused:
        await as_manager.create_task({**body, "user_id": str(outsider.id)})
    assert refused.value.errors[0].field == "user_id"
    task = await as_manager.create_task({**body, "user_id": str(crew.id)})
    with pytest.raises(ValidationError, match="takes part"):
        await db.update_task(task.id, {"user_id": str(outsider.id)})
    assert (await db.find_task_by_id(task.id)).user_id == crew.id
    # Nothing of the refused task was kept.
    assert (await db.find_tasks(user_id=outsider.id, with_total=True)).total == 0
