"""`dreamery serve` answers on a real socket."""

from __future__ import annotations

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
