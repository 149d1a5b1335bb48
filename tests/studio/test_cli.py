"""`dreamery db studio`: refuses a database that is not migrated, serves the studio otherwise."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.cli.runner import assert_one_line_error, dreamery

pytestmark = pytest.mark.usefixtures("backend")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_studio_refuses_a_database_that_is_not_migrated(
    fresh_url: str, cli_env: dict[str, str]
) -> None:
    result = dreamery("db", "studio", "--no-browser", env=cli_env, url=fresh_url)
    assert_one_line_error(result, "no schema yet", "dreamery db migrate")


def test_studio_serves_the_sign_in_page(studio_url: str, cli_env: dict[str, str]) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dreamery", "db", "studio", "--no-browser", "--port", str(port)],
        env={**cli_env, "DATABASE_URL": studio_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                login = httpx.get(f"http://127.0.0.1:{port}/studio/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("the studio did not start") from None
                time.sleep(0.2)
        assert login.status_code == 200
        assert "Sign in to Dreamery Studio" in login.text
        root = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert root.status_code == 307
        assert root.headers["location"] == "/studio/"

        busy = dreamery(
            "db", "studio", "--no-browser", "--port", str(port), env=cli_env, url=studio_url
        )
        assert_one_line_error(busy, f"127.0.0.1:{port} is already in use")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert f"Open http://localhost:{port}/studio/ in your browser" in output
