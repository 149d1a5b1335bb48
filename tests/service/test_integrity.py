"""Access refusals, privilege escalation, optimistic locking, pagination, loading, search."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from dreamery import DatabaseService
from dreamery.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from dreamery.models import AuditLog

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
async def db(fresh_seeded_url: str) -> AsyncIterator[DatabaseService]:
    async with DatabaseService(fresh_seeded_url) as service:
        yield service


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


async def test_concurrent_updates_never_overwrite_each_other(db: DatabaseService) -> None:
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


async def test_concurrent_writers_all_land(db: DatabaseService) -> None:
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
        page = await db.find_notifications(user_id=owner.id, limit=7, cursor=cursor)
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


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE users; --",
        "%",
        "_",
        "\\",
        '"quoted"',
        "a OR b",
        "NEAR(x y)",
        "🏠🔑",
        "x" * 10_000,
        "   ",
        "Ünïcödé",
    ],
)
async def test_search_answers_any_input(db: DatabaseService, query: str) -> None:
    await person(db, "buyer", "Searchable")
    assert isinstance(await db.search_users(query), list)


async def test_search_ranks_name_prefixes_first(db: DatabaseService) -> None:
    await person(db, "buyer", "Anna", profile={"company": "Smithfield Homes"})
    smith = await db.create_user(
        {"email": "x@example.com", "first_name": "Jo", "last_name": "Smith", "role_id": "buyer"}
    )
    hits = await db.search_users("SMITH")
    assert hits[0].id == smith.id
    assert len(hits) == 2


async def test_audit_rows_follow_every_write(db: DatabaseService) -> None:
    async with db._sessions() as session:
        before = await session.scalar(select(func.count()).select_from(AuditLog))
    user = await person(db, "buyer", profile={"company": "Acme"})
    await db.update_user(user.id, {"last_name": "Changed"})
    await db.delete_user(user.id)
    await db.restore_user(user.id)
    async with db._sessions() as session:
        after = await session.scalar(select(func.count()).select_from(AuditLog))
    # create user + create profile, update, delete user + profile, restore user + profile
    assert after - before == 7
    history = await db.find_audit_logs(resource="user", resource_id=str(user.id), limit=10)
    update = next(r for r in history.items if r.action == "update")
    assert update.changes == {"last_name": ["Tester", "Changed"]}


async def test_a_grant_change_takes_effect_at_once(db: DatabaseService) -> None:
    alice, bob = await person(db, "handyman", "Alice"), await person(db, "handyman", "Bob")
    task = await db.create_task(
        {"title": "Fix the gate", "role_id": "handyman", "user_id": str(alice.id)}
    )
    as_bob = db.acting_as(bob.id)
    with pytest.raises(NotFoundError):
        await as_bob.find_task_by_id(task.id)  # also fills the permission cache
    read_any = (await db.find_permissions(resource="task", action="read", scope="any")).items[0]
    grant = await db.create_role_permission(
        {"role_id": "handyman", "permission_id": str(read_any.id)}
    )
    assert (await as_bob.find_task_by_id(task.id)).id == task.id
    await db.delete_role_permission(grant.id)
    with pytest.raises(NotFoundError):
        await as_bob.find_task_by_id(task.id)


async def test_search_covers_company_and_specialties_and_follows_changes(
    db: DatabaseService, backend: str
) -> None:
    maria = await db.create_user(
        {
            "email": "m.fernandez@example.com",
            "first_name": "María",
            "last_name": "Fernández",
            "role_id": "architect",
            "profile": {"company": "Blueprint Partners", "specialties": ["adaptive reuse"]},
        }
    )
    assert [u.id for u in await db.search_users("fernandez")] == [maria.id]  # accents folded
    assert [u.id for u in await db.search_users("blueprint")] == [maria.id]
    assert [u.id for u in await db.search_users("adaptive")] == [maria.id]
    assert [u.id for u in await db.search_users("FERN")] == [maria.id]  # prefix, any case
    assert await db.search_users("fernandez", role_id="buyer") == []
    if backend == "postgresql":
        assert [u.id for u in await db.search_users("fernandes")] == [maria.id]  # typo
    profile = (await db.find_profiles(user_id=maria.id)).items[0]
    await db.update_profile(profile.id, {"company": "Northlight Studio"})
    assert await db.search_users("blueprint") == []
    assert [u.id for u in await db.search_users("northlight")] == [maria.id]
    await db.update_user(maria.id, {"last_name": "Okafor"})
    assert [u.id for u in await db.search_users("okafor")] == [maria.id]
    await db.delete_user(maria.id)
    assert await db.search_users("okafor") == []


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
