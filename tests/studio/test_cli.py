"""`dreamery db studio`: refuses a database that is not migrated, serves the studio otherwise."""

from __future__ import annotations

import httpx
import pytest

from tests.cli.runner import assert_one_line_error, dreamery
from tests.serving import running

pytestmark = pytest.mark.usefixtures("backend")


def test_studio_refuses_a_database_that_is_not_migrated(
    fresh_url: str, cli_env: dict[str, str]
) -> None:
    result = dreamery("db", "studio", "--no-browser", env=cli_env, url=fresh_url)
    assert_one_line_error(result, "run `dreamery db migrate`")


@pytest.mark.process
def test_studio_serves_the_sign_in_page(studio_url: str, cli_env: dict[str, str]) -> None:
    env = {**cli_env, "DATABASE_URL": studio_url}
    with running(["db", "studio", "--no-browser"], env, "/studio/login") as (base, output):
        login = httpx.get(f"{base}/studio/login", timeout=5)
        assert login.status_code == 200
        assert "Sign in to Dreamery Studio" in login.text
        root = httpx.get(f"{base}/", timeout=5)
        assert root.status_code == 307
        assert root.headers["location"] == "/studio/"

        port = base.rsplit(":", 1)[1]
        busy = dreamery("db", "studio", "--no-browser", "--port", port, env=cli_env, url=studio_url)
        assert_one_line_error(busy, f"127.0.0.1:{port} is already in use")
        assert f"Open http://localhost:{port}/studio/ in your browser" in output()
