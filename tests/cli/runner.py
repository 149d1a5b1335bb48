"""Run `dreamery` as a user does: its exit code, its output, its one-line errors.

`dreamery()` runs the command in this process, on a thread of its own (a command runs its own
event loop), with exactly the environment given: what a user sees of a command does not
depend on the process it runs in, and starting Python for every call would cost a second.
`dreamery_process()` starts a real process, for what only a process shows: the installed
entry point, and output printed before and around a crash.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass

from typer.testing import CliRunner

from dreamery.cli.app import console as output_console
from dreamery.cli.app import errors as error_console
from dreamery.cli.app import load_commands
from dreamery.core.config import get_settings


@dataclass
class Result:
    code: int
    out: str
    err: str


def _environment(env: dict[str, str], url: str | None) -> dict[str, str | None]:
    wanted: dict[str, str | None] = {**env}
    if url is not None:
        wanted["DATABASE_URL"] = url
    # Variables of this process that the caller left out are unset for the command.
    return {name: None for name in os.environ if name not in wanted} | wanted


def dreamery(*args: str, env: dict[str, str], url: str | None, stdin: str | None = None) -> Result:
    outcome: list[Result] = []

    def invoke() -> None:
        get_settings.cache_clear()
        # A process reads its terminal width once, at start: so do the command's consoles.
        for console in (output_console, error_console):
            console.width = int(env.get("COLUMNS", "80"))
        try:
            result = CliRunner().invoke(
                load_commands(), list(args), input=stdin, env=_environment(env, url)
            )
        finally:
            get_settings.cache_clear()
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        outcome.append(Result(result.exit_code, result.stdout, result.stderr))

    failure: list[BaseException] = []

    def run() -> None:
        try:
            invoke()
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, name=f"dreamery {' '.join(args[:2])}")
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), f"dreamery {' '.join(args)} did not finish in 300 s"
    if failure:
        raise failure[0]
    return outcome[0]


def dreamery_process(
    *args: str, env: dict[str, str], url: str | None, stdin: str | None = None
) -> Result:
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
