"""Role permissions are cached per process and in Redis; a change reaches every process,
once it has committed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import NotFoundError
from dreamery.rbac.cache import PermissionCache

pytestmark = pytest.mark.usefixtures("backend")


async def person(db: DatabaseService, role: str, name: str) -> Any:
    return await db.create_user(
        {
            "email": f"{name.lower()}.{uuid.uuid4().hex[:6]}@example.com",
            "first_name": name,
            "last_name": "Tester",
            "role_id": role,
        }
    )


async def test_a_grant_reaches_another_process_through_redis(
    fresh_seeded_url: str, redis_url: str
) -> None:
    namespace = f"dreamery-test:{uuid.uuid4().hex}"
    first = DatabaseService(
        fresh_seeded_url, _permissions=PermissionCache(redis_url, namespace=namespace)
    )
    second = DatabaseService(
        fresh_seeded_url, _permissions=PermissionCache(redis_url, namespace=namespace)
    )
    try:
        assert first._permissions.shared
        alice = await first.create_user(
            {
                "email": "alice@example.com",
                "first_name": "Alice",
                "last_name": "A",
                "role_id": "handyman",
            }
        )
        bob = await first.create_user(
            {
                "email": "bob@example.com",
                "first_name": "Bob",
                "last_name": "B",
                "role_id": "handyman",
            }
        )
        task = await first.create_task(
            {"title": "Fix the gate", "role_id": "handyman", "user_id": str(alice.id)}
        )
        bob_elsewhere = second.acting_as(bob.id)
        with pytest.raises(NotFoundError):
            await bob_elsewhere.find_task_by_id(task.id)  # caches handyman's grants

        read_any = (
            await first.find_permissions(resource="task", action="read", scope="any")
        ).items[0]
        grant = await first.create_role_permission(
            {"role_id": "handyman", "permission_id": str(read_any.id)}
        )
        assert (await bob_elsewhere.find_task_by_id(task.id)).id == task.id

        await first.delete_role_permission(grant.id)
        with pytest.raises(NotFoundError):
            await bob_elsewhere.find_task_by_id(task.id)
    finally:
        await first._permissions.close()
        await second._permissions.close()
        await first.close()
        await second.close()


async def test_an_unreachable_redis_falls_back_to_the_database(fresh_seeded_url: str) -> None:
    cache = PermissionCache("redis://127.0.0.1:1/0")
    async with DatabaseService(fresh_seeded_url, _permissions=cache) as db:
        user = await db.create_user(
            {"email": "c@example.com", "first_name": "C", "last_name": "D", "role_id": "buyer"}
        )
        assert (await db.acting_as(user.id).find_user_by_id(user.id)).id == user.id
    await cache.close()


async def test_a_grant_change_takes_effect_at_once(committing_db: DatabaseService) -> None:
    db = committing_db
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
