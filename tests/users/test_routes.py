"""People over HTTP: the ranked search of `/api/v1/users`."""

from __future__ import annotations

import httpx
import pytest

from tests.hub import SignUp

pytestmark = pytest.mark.usefixtures("backend")


async def test_users_are_found_by_search(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    admin = await sign_up(admin=True)
    me = await sign_up()
    found = await client.get(
        "/api/v1/users", params={"q": me.email.split("@")[0]}, headers=admin.headers
    )
    assert found.status_code == 200
    assert [u["id"] for u in found.json()["items"]] == [str(me.id)]
    odd = await client.get("/api/v1/users", params={"q": "\"' OR 1=1 -- 🏠"}, headers=admin.headers)
    assert odd.status_code == 200
