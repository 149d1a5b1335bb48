"""The facade as a Python user meets it: the design's examples run as written, refusals,
privileges, optimistic locking, pages, loading, the audit trail, transactions and types.

Most tests run inside a transaction that is rolled back afterwards (`db`); those about what
only committed work shows (concurrent writers) have a database of their own (`committing_db`).
"""

from __future__ import annotations

import asyncio
import inspect
import typing
import uuid
from typing import Any

import pytest
from sqlalchemy import event, func, select

from dreamery import DatabaseService
from dreamery.audit.service import AUDIT_LOGS
from dreamery.core.entities import Crud
from dreamery.core.errors import (
    ConflictError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from dreamery.core.pagination import Page
from dreamery.models import AuditLog
from dreamery.service import ENTITIES

pytestmark = pytest.mark.usefixtures("backend")


async def person(db: DatabaseService, role: str, name: str = "Pat", **extra: Any) -> Any:
    return await db.create_user(
        {
            "email": f"{name.lower()}.{uuid.uuid4().hex[:6]}@example.com",
            "first_name": name,
            "last_name": "Tester",
            "role_id": role,
            **extra,
        }
    )


async def audit_rows(db: DatabaseService) -> int:
    async with db.unit(write=False) as unit:
        return int(await unit.session.scalar(select(func.count()).select_from(AuditLog)) or 0)


async def test_the_design_examples(db: DatabaseService) -> None:
    john = await db.create_user(
        {
            "email": "john@example.com",
            "first_name": "John",
            "last_name": "Doe",
            "role_id": "acquisition-specialist",
            "is_active": True,
        }
    )
    assert john.email == "john@example.com"
    assert john.version == 1

    page = await db.find_users(role_id="acquisition-specialist")
    assert isinstance(page, Page)
    assert [u.id for u in page.items] == [john.id]
    assert page.next_cursor is None

    hits = await db.search_users("John", "acquisition-specialist")
    assert [u.id for u in hits] == [john.id]
    assert [u.id for u in await db.search_users("john")] == [john.id]  # any case, SQLite too

    workflow = await db.create_workflow(
        {
            "name": "Property Inspection Workflow",
            "description": "Standard workflow for property inspections",
            "role_id": "commercial-inspector",
            "is_active": True,
        }
    )
    inspector_workflows = await db.find_workflows_by_role("commercial-inspector")
    assert workflow.id in {w.id for w in inspector_workflows}

    as_john = db.acting_as(john.id)
    me = await as_john.find_user_by_id(john.id)
    assert me.id == john.id
    assert (await db.health_check())["status"] == "healthy"


async def test_original_operations_exist(db: DatabaseService) -> None:
    jane = await db.create_user(
        {
            "email": "Jane@Example.com",
            "first_name": "Jane",
            "last_name": "Smith",
            "role_id": "real-estate-attorney",
            "profile": {"company": "Smith Law", "specialties": ["1031"]},
        }
    )
    assert (await db.find_user_by_email("jane@example.com")).id == jane.id
    updated = await db.update_user(jane.id, {"first_name": "Janet", "version": jane.version})
    assert updated.first_name == "Janet"
    assert updated.version == jane.version + 1
    with pytest.raises(ConflictError):
        await db.update_user(jane.id, {"last_name": "Stale", "version": jane.version})

    roles = await db.find_roles_by_category("legal-services")
    assert {r.id for r in roles} == {"real-estate-attorney", "estate-planning-attorney"}
    templates = await db.find_document_templates_by_role("acquisition-specialist")
    assert "purchase-agreement-template" in {t.slug for t in templates}

    task = await db.create_task(
        {
            "title": "Review title commitment",
            "role_id": "real-estate-attorney",
            "user_id": str(jane.id),
        }
    )
    assert [t.id for t in await db.find_tasks_by_user(jane.id)] == [task.id]
    done = await db.update_task_status(task.id, "completed")
    assert done.status == "completed"
    assert done.completed_at is not None
    reopened = await db.update_task_status(task.id, "in_progress")
    assert reopened.completed_at is None
    with pytest.raises(ConflictError, match="cannot become"):
        await db.update_task_status(
            (await db.update_task_status(task.id, "cancelled")).id, "completed"
        )

    await db.create_analytics_metric(
        {
            "role_id": "real-estate-attorney",
            "user_id": str(jane.id),
            "metric": "matters_closed",
            "value": 3,
            "unit": "count",
            "category": "performance",
        }
    )
    assert len(await db.find_metrics_by_role("real-estate-attorney", "performance")) == 1
    assert await db.find_metrics_by_role("real-estate-attorney", "financial") == []

    requirement = (await db.find_compliance_requirements(role_id="real-estate-attorney")).items[0]
    await db.create_compliance_record(
        {"requirement_id": str(requirement.id), "user_id": str(jane.id)}
    )
    records = await db.find_compliance_records_by_user(jane.id)
    assert records[0].requirement.id == requirement.id

    deleted = await db.delete_user(jane.id)
    assert deleted.deleted_at is not None
    with pytest.raises(NotFoundError):
        await db.find_user_by_id(jane.id)
    assert (await db.find_user_by_id(jane.id, include_deleted=True)).id == jane.id
    profile_page = await db.find_profiles(user_id=jane.id, include_deleted=True)
    assert profile_page.items[0].deleted_at is not None
    restored = await db.restore_user(jane.id)
    assert restored.deleted_at is None
    assert (await db.find_profiles(user_id=jane.id)).items[0].deleted_at is None


async def test_bad_input_names_the_field(db: DatabaseService) -> None:
    with pytest.raises(ValidationError) as caught:
        await db.create_user(
            {
                "email": "not-an-email",
                "first_name": "",
                "last_name": "X",
                "role_id": "acquisition-specialist",
                "nickname": "x",
            }
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"email", "first_name", "nickname"}

    with pytest.raises(ValidationError) as missing:
        await db.create_user(
            {
                "email": "a@example.com",
                "first_name": "A",
                "last_name": "B",
                "role_id": "no-such-role",
            }
        )
    assert [e.field for e in missing.value.errors] == ["role_id"]

    await db.create_user(
        {"email": "dup@example.com", "first_name": "A", "last_name": "B", "role_id": "buyer"}
    )
    with pytest.raises(DuplicateError) as duplicate:
        await db.create_user(
            {"email": "DUP@example.com", "first_name": "C", "last_name": "D", "role_id": "buyer"}
        )
    assert [e.field for e in duplicate.value.errors] == ["email"]


async def test_private_records_of_others_are_not_found_and_denials_are_audited(
    db: DatabaseService,
) -> None:
    alice, bob = await person(db, "handyman", "Alice"), await person(db, "handyman", "Bob")
    task = await db.create_task(
        {"title": "Fix the gate", "role_id": "handyman", "user_id": str(alice.id)}
    )
    as_bob = db.acting_as(bob.id)
    with pytest.raises(NotFoundError):
        await as_bob.find_task_by_id(task.id)
    with pytest.raises(NotFoundError):
        await as_bob.update_task(task.id, {"title": "Mine now"})
    # Bob may read Alice's account (the directory) but not change it: a denial, audited.
    with pytest.raises(PermissionDeniedError):
        await as_bob.update_user(alice.id, {"first_name": "Mallory"})
    denied = await db.find_audit_logs(resource="user", resource_id=str(alice.id))
    assert any(row.action == "denied" and row.actor == str(bob.id) for row in denied.items)
    assert (await db.find_user_by_id(alice.id)).first_name == "Alice"


async def test_no_one_raises_their_own_privileges(db: DatabaseService) -> None:
    eve = await person(db, "handyman", "Eve")
    as_eve = db.acting_as(eve.id)
    assert (await as_eve.update_user(eve.id, {"first_name": "Evelyn"})).first_name == "Evelyn"
    for change in ({"is_admin": True}, {"role_id": "real-estate-broker"}):
        with pytest.raises(PermissionDeniedError):
            await as_eve.update_user(eve.id, change)
    with pytest.raises(PermissionDeniedError):
        await as_eve.create_role_permission(
            {"role_id": "handyman", "permission_id": str(uuid.uuid4())}
        )
    # Nor hand a task to someone else to escape their scope.
    other = await person(db, "handyman", "Other")
    mine = await as_eve.create_task(
        {"title": "Buy supplies", "role_id": "handyman", "user_id": str(eve.id)}
    )
    with pytest.raises(PermissionDeniedError):
        await as_eve.update_task(mine.id, {"user_id": str(other.id)})
    with pytest.raises(PermissionDeniedError):
        await as_eve.create_task(
            {"title": "Yours", "role_id": "handyman", "user_id": str(other.id)}
        )
    with pytest.raises(PermissionDeniedError):
        await as_eve.find_users(include_deleted=True)
    current = await db.find_user_by_id(eve.id)
    assert (current.is_admin, current.role_id) == (False, "handyman")


async def test_concurrent_updates_never_overwrite_each_other(
    committing_db: DatabaseService,
) -> None:
    db = committing_db
    owner = await person(db, "handyman")
    task = await db.create_task({"title": "Start", "role_id": "handyman", "user_id": str(owner.id)})

    async def edit(n: int) -> str:
        try:
            await db.update_task(task.id, {"title": f"Edit {n}", "version": task.version})
        except ConflictError:
            return "conflict"
        return "saved"

    outcomes = await asyncio.gather(*(edit(n) for n in range(8)))
    assert outcomes.count("saved") == 1
    assert outcomes.count("conflict") == 7
    final = await db.find_task_by_id(task.id)
    assert final.version == task.version + 1
    updates = await db.find_audit_logs(resource="task", resource_id=str(task.id), limit=100)
    assert [r.action for r in updates.items].count("update") == 1


async def test_concurrent_writers_all_land(committing_db: DatabaseService) -> None:
    db = committing_db
    owner = await person(db, "handyman")

    async def write(n: int) -> None:
        for i in range(5):
            await db.create_task(
                {"title": f"Job {n}-{i}", "role_id": "handyman", "user_id": str(owner.id)}
            )

    await asyncio.gather(*(write(n) for n in range(6)))
    page = await db.find_tasks(user_id=owner.id, limit=100, with_total=True)
    assert page.total == 30


async def test_keyset_pages_walk_every_row_once(db: DatabaseService) -> None:
    owner = await person(db, "handyman")
    for n in range(25):
        await db.create_notification({"user_id": str(owner.id), "title": f"N{n}", "message": "m"})
    seen, cursor = [], None
    while True:
        page = await db.find_notifications(
            user_id=owner.id, category="general", limit=7, cursor=cursor
        )
        seen += [n.id for n in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 25
    with pytest.raises(ValidationError, match="limit"):
        await db.find_notifications(limit=101)
    with pytest.raises(ValidationError, match="cursor"):
        await db.find_notifications(cursor="garbage")
    with pytest.raises(ValidationError, match="sort"):
        await db.find_notifications(sort="title")


async def test_a_page_of_50_users_with_profile_and_role_takes_3_statements(
    db: DatabaseService,
) -> None:
    for n in range(50):
        await person(db, "buyer", f"Buyer{n}", profile={"company": f"Co {n}"})
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        page = await db.find_users(role_id="buyer", include=("profile", "role"), limit=50)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert len(page.items) == 50
    assert all(u.profile is not None and u.role.id == "buyer" for u in page.items)
    only_profiles = await db.find_users(role_id="buyer", include=("profile",), limit=5)
    assert all(u.profile is not None and not hasattr(u, "role") for u in only_profiles.items)
    only_roles = await db.find_users(role_id="buyer", include=("role",), limit=5)
    assert all(u.role.id == "buyer" and not hasattr(u, "profile") for u in only_roles.items)
    data_statements = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(data_statements) <= 3, data_statements


async def test_audit_rows_follow_every_write(db: DatabaseService) -> None:
    before = await audit_rows(db)
    user = await person(db, "buyer", profile={"company": "Acme"})
    await db.update_user(user.id, {"last_name": "Changed"})
    await db.delete_user(user.id)
    await db.restore_user(user.id)
    after = await audit_rows(db)
    # create personal organization + user + membership + profile + welcome notification,
    # update, delete user + profile, restore user + profile
    assert after - before == 10
    history = await db.find_audit_logs(resource="user", resource_id=str(user.id), limit=10)
    update = next(r for r in history.items if r.action == "update")
    assert update.changes == {"last_name": ["Tester", "Changed"]}


async def test_purge_removes_for_good_and_keeps_the_history(db: DatabaseService) -> None:
    admin = await person(db, "real-estate-broker", "Admin", is_admin=True)
    gone = await person(db, "handyman", "Gone", profile={"company": "Fixit"})
    task = await db.create_task(
        {"title": "Last job", "role_id": "handyman", "user_id": str(gone.id)}
    )
    await db.delete_user(gone.id)
    someone = await person(db, "handyman", "Someone")
    with pytest.raises(PermissionDeniedError):
        await db.acting_as(someone.id).purge_user(gone.id)
    await db.acting_as(admin.id).purge_user(gone.id)
    with pytest.raises(NotFoundError):
        await db.find_user_by_id(gone.id, include_deleted=True)
    with pytest.raises(NotFoundError):
        await db.find_task_by_id(task.id, include_deleted=True)
    assert (await db.find_profiles(user_id=gone.id, include_deleted=True)).items == []
    history = await db.find_audit_logs(resource="user", resource_id=str(gone.id), limit=20)
    assert [r.action for r in history.items][:2] == ["purge", "delete"]


# --- a typed public API ---------------------------------------------------------------------


def _mentions_any(hint: Any) -> bool:
    if hint is Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(hint))


def _public_methods() -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(DatabaseService, inspect.isfunction)
        if not name.startswith("_")
    }


def test_the_facade_signatures_name_their_types_without_any() -> None:
    untyped = []
    for name, method in _public_methods().items():
        hints = typing.get_type_hints(method, include_extras=True)
        parameters = inspect.signature(method).parameters
        missing = [p for p in parameters if p != "self" and p not in hints]
        if "return" not in hints or missing:
            untyped.append(f"{name}: not annotated {missing or ['return']}")
        untyped += [f"{name}({p}) is Any" for p, h in hints.items() if _mentions_any(h)]
    assert not untyped, untyped


def test_every_operation_an_entity_offers_has_its_typed_method() -> None:
    """One name per entity: `create_<name>`, `find_<plural>`..., and each named operation."""
    methods = _public_methods()
    for spec in ENTITIES:
        expected = {
            Crud.CREATE: f"create_{spec.name}",
            Crud.GET: f"find_{spec.name}_by_id",
            Crud.LIST: f"find_{spec.plural}",
            Crud.UPDATE: f"update_{spec.name}",
            Crud.DELETE: f"delete_{spec.name}",
            Crud.RESTORE: f"restore_{spec.name}",
            Crud.PURGE: f"purge_{spec.name}",
        }
        for operation, name in expected.items():
            if spec is AUDIT_LOGS and operation is not Crud.LIST:
                continue
            assert (name in methods) == spec.offered(operation), (spec.name, name)
        for action in spec.actions.values():
            assert action.name in methods, action.name
        if spec.filters is not None and spec is not AUDIT_LOGS:
            finder = inspect.signature(methods[f"find_{spec.plural}"])
            assert any(p.kind is p.VAR_KEYWORD for p in finder.parameters.values())


def test_the_error_tree_is_public() -> None:
    from dreamery import errors

    assert errors.ValidationError is ValidationError
    assert issubclass(errors.ConflictError, errors.DreameryError)


# --- transactions ----------------------------------------------------------------------------


async def test_calls_in_one_transaction_land_together_or_not_at_all(
    committing_db: DatabaseService,
) -> None:
    db = committing_db
    made: list[Any] = []

    async def fails_at_the_end() -> None:
        async with db.transaction() as tx:
            made.append(await person(tx, "handyman", "Kept"))
            await tx.create_task(
                {"title": "Job", "role_id": "handyman", "user_id": str(made[0].id)}
            )
            await tx.create_user({"email": "bad"})

    with pytest.raises(ValidationError):
        await fails_at_the_end()
    with pytest.raises(NotFoundError):
        await db.find_user_by_id(made[0].id)
    assert (await db.find_tasks(role_id="handyman", limit=5)).items == []

    async with db.transaction() as tx:
        first = await person(tx, "handyman", "First")
        with pytest.raises(ValidationError):  # a failed call inside: only it is undone
            await tx.create_user({"email": "also bad"})
        await tx.update_user(first.id, {"last_name": "Landed"})
    assert (await db.find_user_by_id(first.id)).last_name == "Landed"


async def test_a_refusal_is_audited_even_when_its_transaction_rolls_back(
    committing_db: DatabaseService,
) -> None:
    db = committing_db
    owner, stranger = await person(db, "handyman", "Owner"), await person(db, "handyman", "Eve")

    async def refused() -> None:
        async with db.acting_as(stranger.id).transaction() as tx:
            await tx.update_user(owner.id, {"first_name": "Mallory"})

    with pytest.raises(PermissionDeniedError):
        await refused()
    trail = await db.find_audit_logs(resource="user", resource_id=str(owner.id))
    assert [r.action for r in trail.items if r.actor == str(stranger.id)] == ["denied"]


async def test_sign_in_and_passwords_take_part_in_the_transaction(
    committing_db: DatabaseService,
) -> None:
    async with committing_db.transaction() as tx:
        user = await person(tx, "buyer", "Tess")
        await tx.set_user_password(user.id, "a long test password 1")
        signed_in = await tx.sign_in(user.email, "a long test password 1")
    assert signed_in.user_id == user.id
    assert (await committing_db.find_user_by_id(user.id)).last_login_at is not None


async def test_pages_walk_rows_without_a_sort_value_too(db: DatabaseService) -> None:
    """Tasks sort by due date, which may be empty: such rows come last, then first."""
    owner = await person(db, "handyman")
    made = []
    for n in range(7):
        due = f"2027-01-{n + 10:02d}T09:00:00Z" if n % 2 else None
        task = {"title": f"T{n}", "role_id": "handyman", "user_id": str(owner.id)}
        made.append(await db.create_task(task | ({"due_date": due} if due else {})))
    for descending in (False, True):
        seen, cursor = [], None
        while True:
            page = await db.find_tasks(
                user_id=owner.id, limit=2, cursor=cursor, descending=descending
            )
            seen += page.items
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert sorted(t.id for t in seen) == sorted(t.id for t in made), descending
        dated = [t.due_date is not None for t in seen]
        assert dated == sorted(dated, reverse=not descending)  # dated first, when ascending


async def test_tasks_by_user_take_the_other_filters(db: DatabaseService) -> None:
    owner = await person(db, "handyman")
    task = await db.create_task({"title": "T", "role_id": "handyman", "user_id": str(owner.id)})
    await db.change_task_status(task.id, "in_progress")
    assert [t.id for t in await db.find_tasks_by_user(owner.id, status="in_progress")] == [task.id]
    assert await db.find_tasks_by_user(owner.id, status="completed") == []
