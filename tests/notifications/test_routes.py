"""Notifications over HTTP: one read, or all of one's own."""

from __future__ import annotations

import httpx
import pytest

from dreamery import DatabaseService
from tests.hub import SignUp

pytestmark = pytest.mark.usefixtures("backend")


async def test_reading_one_and_then_all(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    me = await sign_up()
    notes = [
        await api_db.create_notification({"user_id": str(me.id), "title": f"N{i}", "message": "m"})
        for i in range(3)
    ]
    one = await client.post(f"/api/v1/notifications/{notes[0].id}/read", headers=me.headers)
    assert one.status_code == 200 and one.json()["is_read"] is True
    patched = await client.patch(
        f"/api/v1/notifications/{notes[1].id}", json={"is_read": True}, headers=me.headers
    )
    assert patched.status_code == 405  # there is no generic update of a notification
    everything = await client.post("/api/v1/notifications/read-all", headers=me.headers)
    assert everything.status_code == 200
    assert everything.json() == {"marked": 3}  # the two left, and the welcome
    listed = await client.get(
        "/api/v1/notifications", params={"is_read": "false"}, headers=me.headers
    )
    assert listed.json()["items"] == []
