"""Schemathesis over the whole OpenAPI document, against `dreamery serve` on a real socket.

Signed in as an administrator and as an ordinary professional, with a bounded number of
examples per operation: no 5xx, every response conforms to the documented schema, status
and content type, and input the schema forbids is refused.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dreamery import DatabaseService
from tests.hub import PASSWORD
from tests.serving import running

pytestmark = [pytest.mark.usefixtures("backend"), pytest.mark.process]

ARTIFACTS = Path("test-artifacts/schemathesis")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
        "negative_data_rejection",
    ]
)
EXAMPLES = os.environ.get("DREAMERY_SCHEMATHESIS_EXAMPLES", "4")


@pytest.fixture
def server(fresh_seeded_url: str, cli_env: dict[str, str]) -> Iterator[str]:
    env = cli_env | {
        "DATABASE_URL": fresh_seeded_url,
        "RATE_LIMIT_PER_IP": "1000000/minute",
        "RATE_LIMIT_PER_USER": "1000000/minute",
        "LOGIN_LIMIT_PER_IP": "1000000/minute",
    }
    with running(["serve"], env, "/health") as (base, _):
        yield base


async def _token(base: str, url: str, *, admin: bool) -> str:
    email = f"{'admin' if admin else 'pro'}-{uuid.uuid4().hex[:8]}@example.com"
    async with DatabaseService(url) as db:
        user = await db.create_user(
            {
                "email": email,
                "first_name": "Schema",
                "last_name": "Tester",
                "role_id": "real-estate-agent",
                "is_admin": admin,
            }
        )
        await db.set_user_password(user.id, PASSWORD)
    async with httpx.AsyncClient(base_url=base) as http:
        answer = await http.post("/auth/login", data={"username": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.mark.parametrize("who", ["administrator", "professional"])
async def test_the_api_keeps_its_documented_promises(
    server: str, fresh_seeded_url: str, who: str, backend: str
) -> None:
    token = await _token(server, fresh_seeded_url, admin=who == "administrator")
    report = ARTIFACTS / f"{backend}-{who}"
    report.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{server}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES,
        "--seed",
        "20261125",
        "--phases",
        # The coverage phase (every boundary of every parameter, ~8,000 requests) runs once:
        # as an administrator, who reaches every operation, on PostgreSQL. Every run fuzzes.
        "examples,coverage,fuzzing"
        if (who, backend) == ("administrator", "postgresql")
        else "examples,fuzzing",
        "--workers",
        "2",
        "--no-color",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-dir",
        str(report),
    ]
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=900, check=False
    )
    (report / "output.txt").write_text(done.stdout + done.stderr)
    summary = done.stdout[done.stdout.find("SUMMARY") :] if "SUMMARY" in done.stdout else ""
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "passed" in summary, summary
