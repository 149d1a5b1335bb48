"""Run `dreamery` as a user does: a real process, its exit code, its output."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass


@dataclass
class Result:
    code: int
    out: str
    err: str


def dreamery(*args: str, env: dict[str, str], url: str | None, stdin: str | None = None) -> Result:
    if url is not None:
        env = {**env, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "dreamery", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.code == 1, result
    assert "Traceback" not in result.err + result.out
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
