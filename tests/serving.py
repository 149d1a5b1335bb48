"""A `dreamery` server in a real process, for tests that talk to it over a socket."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(
    args: list[str], env: dict[str, str], ready_path: str, port: int | None = None
) -> Iterator[tuple[str, Callable[[], str]]]:
    """Start `dreamery *args --port P`, wait until `ready_path` answers, yield (base URL, a
    function returning what the server printed so far); stop it afterwards.

    The output goes to a file, not a pipe: a busy server must never block on a full pipe."""
    port = port or free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dreamery", *args, "--port", str(port)],
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"

        def output() -> str:
            log.seek(0)
            return log.read()

        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}{ready_path}", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        process.kill()
                        process.wait(timeout=10)
                        raise AssertionError(
                            f"dreamery {args[0]} did not start:\n{output()}"
                        ) from None
                    time.sleep(0.2)
            yield base, output
        finally:
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=30)
