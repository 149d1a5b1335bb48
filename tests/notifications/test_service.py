"""Reading notifications: one at a time (read or unread again) or all of one's own at once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import NotFoundError, ValidationError

pytestmark = pytest.mark.usefixtures("backend")


async def person(db: DatabaseService) -> Any:
    return await db.create_user(
        {
            "email": f"pat.{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Pat",
            "last_name": "Tester",
            "role_id": "buyer",
        }
    )


async def notify(db: DatabaseService, user: Any, n: int) -> list[Any]:
    return [
        await db.create_notification({"user_id": str(user.id), "title": f"N{i}", "message": "m"})
        for i in range(n)
    ]


async def test_one_is_marked_read_and_unread(db: DatabaseService) -> None:
    me, other = await person(db), await person(db)
    (note,) = await notify(db, me, 1)
    as_me = db.acting_as(me.id)
    read = await as_me.mark_read(note.id)
    assert (read.is_read, read.read_at is not None) == (True, True)
    again = await as_me.mark_read(note.id)
    assert again.version == read.version  # nothing to change: no write, no audit row
    unread = await as_me.mark_read(note.id, read=False)
    assert (unread.is_read, unread.read_at) == (False, None)
    with pytest.raises(NotFoundError):
        await db.acting_as(other.id).mark_read(note.id)
    actions = [r.action for r in (await db.find_audit_logs(resource_id=str(note.id))).items]
    assert actions[:2] == ["mark_unread", "mark_read"]


async def test_all_of_ones_own_are_marked_at_once(db: DatabaseService) -> None:
    me, other = await person(db), await person(db)
    mine, theirs = await notify(db, me, 3), await notify(db, other, 2)
    as_me = db.acting_as(me.id)
    await as_me.mark_read(mine[0].id)
    assert await as_me.mark_all_read() == 3  # the two left, and the welcome
    assert await as_me.mark_all_read() == 0
    assert all(n.is_read for n in (await as_me.find_notifications(user_id=me.id)).items)
    assert not any(n.is_read for n in (await db.find_notifications(user_id=other.id)).items)
    assert {n.id for n in theirs} == {
        n.id
        for n in (await db.find_notifications(user_id=other.id)).items
        if n.category != "welcome"
    }


async def test_a_notification_has_no_generic_update(db: DatabaseService) -> None:
    assert not hasattr(db, "update_notification")
    me = await person(db)
    with pytest.raises(ValidationError, match="mark_read"):
        await db.create_notification(
            {"user_id": str(me.id), "title": "t", "message": "m", "is_read": True}
        )
