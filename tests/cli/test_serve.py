"""`dreamery serve` answers on a real socket."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.serving import running

pytestmark = [pytest.mark.usefixtures("backend"), pytest.mark.process]


def test_serve_answers_health_and_readiness(database_url: str, cli_env: dict[str, str]) -> None:
    with running(["serve"], {**cli_env, "DATABASE_URL": database_url}, "/health") as (base, _):
        health = httpx.get(f"{base}/health", timeout=5)
        assert health.json() == {"status": "ok"}
        ready = httpx.get(f"{base}/ready", timeout=5)
        assert ready.status_code == 200, ready.text
        roles = httpx.get(f"{base}/api/v1/roles", timeout=5)
        assert len(roles.json()) == 89


def test_serve_prepare_makes_an_empty_database_a_working_hub(
    fresh_url: str, cli_env: dict[str, str]
) -> None:
    """What `make run` does: one process migrates, seeds, makes the first administrator (whose
    printed password signs in) and serves; the second start changes nothing and says so."""
    env = {**cli_env, "DATABASE_URL": fresh_url}
    with running(["serve", "--prepare"], env, "/health") as (base, output):
        printed = output()
        assert "Migrated" in printed and "-> " in printed, printed
        assert "Catalogue: inserted 18 professional_categories, 89 user_roles" in printed
        shown = re.search(r"Password \(shown once, stored only hashed\): (\S+)", printed)
        assert shown, printed
        assert httpx.get(f"{base}/ready", timeout=5).status_code == 200
        signed_in = httpx.post(
            f"{base}/auth/login",
            data={"username": "admin@example.com", "password": shown.group(1)},
            timeout=10,
        )
        assert signed_in.status_code == 200, signed_in.text
        me = httpx.get(
            f"{base}/me",
            headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
            timeout=5,
        )
        assert me.json()["is_admin"] is True
    with running(["serve", "--prepare"], env, "/health") as (_, output):
        again = output()
        assert "is up to date at" in again, again
        assert "Catalogue: already up to date, nothing changed." in again
        assert "Sign in as admin@example.com" in again and shown.group(1) not in again
