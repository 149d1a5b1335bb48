"""HTTP throughput of `dreamery serve` against a bare Starlette endpoint, with wrk on loopback.

Both run under uvicorn with 2 workers on one scratch PostgreSQL database (migrated and seeded
by the CLI) and answer the same two requests with the same SQL on asyncpg:
`GET /api/v1/users/{id}` and a role's first page of 50 users. The hub is called signed in, as
an administrator and as an ordinary professional, with rate limits on but out of reach;
optionally a second hub keeps its rate-limit counters and permission cache in Redis.

One server runs at a time; they take turns under wrk, round after round, so that a change in
the load of the shared machine hits all of them alike. Reported per request and server:
requests/s, p50 and p99 from wrk, throughput relative to the bare endpoint, and the CPU time
per request of the server's processes, of its PostgreSQL backends (both from /proc) and of
wrk: on a machine where all three share the cores, those decide the throughput.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from dreamery import DatabaseService

ROOT = Path(__file__).resolve().parents[1]
WRK = "/usr/bin/wrk"
WORKERS = 2
PASSWORD = "wrk-bench-7Qx!pLm2-vault"
ADMIN_EMAIL = "bench.admin@example.com"
HIGH_LIMIT = "100000000/minute"
WARM_UP_SECONDS = 3
GOAL = 0.70
BARE = "bare Starlette + asyncpg, no auth"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    failures: str  # non-2xx responses and socket errors, "" when none


@dataclass
class Tally:
    """One target's runs on one request, round by round."""

    runs: list[WrkResult] = field(default_factory=list)
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    client_cpu: float = 0.0
    sessions: int = 0

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def per_second(self) -> float:
        return self.requests / sum(run.seconds for run in self.runs)


def parse_wrk(output: str) -> WrkResult:
    """Throughput, p50/p99 and failures from `wrk --latency` output."""

    def duration(text: str) -> float:
        found = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
        if found is None:
            raise ValueError(f"not a wrk duration: {text!r}")
        return float(found[1]) * UNITS[found[2]]

    def latency(percent: str) -> float:
        found = re.search(rf"^\s*{percent}%\s+(\S+)\s*$", output, re.M)
        if found is None:
            raise ValueError(f"no {percent}% latency in wrk output:\n{output}")
        return duration(found[1])

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in (\S+),", output, re.M)
    if rate is None or total is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    failures = [
        line.strip()
        for line in output.splitlines()
        if line.strip().startswith(("Non-2xx", "Socket errors"))
    ]
    return WrkResult(
        requests=int(total[1]),
        seconds=duration(total[2]) / 1000,
        per_second=float(rate[1]),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        failures="; ".join(failures),
    )


def wrk(url: str, token: str | None, *, seconds: int, threads: int, connections: int) -> str:
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    return done.stdout


# --- CPU accounting from /proc ---------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from the 3rd (state) on


def process_tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(current := todo.pop())
        todo += children.get(current, [])
    return tree


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU each process has used so far (gone processes are left out)."""
    used = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            used[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return used


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


async def _database(url: str) -> tuple[list[int], int]:
    """The backends serving this database now (but this one), and how many sessions it has
    had: a pool that closes and reopens connections shows as new sessions."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        sessions = await connection.fetchval(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        )
    finally:
        await connection.close()
    return [row["pid"] for row in rows], sessions


# --- servers ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _dreamery() -> list[str]:
    script = Path(sys.executable).with_name("dreamery")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dreamery"]


def _env(database_url: str, redis_url: str = "") -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ACCESS_TOKEN_MINUTES": "120",
        "RATE_LIMIT_PER_IP": HIGH_LIMIT,
        "RATE_LIMIT_PER_USER": HIGH_LIMIT,
        "DREAMERY_ENV": "development",
        "DEBUG": "false",
        "SQL_ECHO": "false",
    }


def _commands(ports: dict[str, int]) -> dict[str, list[str]]:
    bare = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.bare_http:app",
        "--app-dir",
        str(ROOT),
        "--host",
        "127.0.0.1",
        "--port",
        str(ports["bare"]),
        "--workers",
        str(WORKERS),
        "--log-level",
        "info",  # as `dreamery serve`: the access log included
    ]
    hub = [*_dreamery(), "serve", "--workers", str(WORKERS), "--port"]
    return {
        "bare": bare,
        **{name: [*hub, str(port)] for name, port in ports.items() if name != "bare"},
    }


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], log: IO[str]) -> Iterator[int]:
    """Run a server in a process group of its own; stop it and its workers on the way out."""
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,  # uvicorn's access log
        stderr=log,
        start_new_session=True,
    )
    try:
        yield process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _reachable(redis_url: str) -> bool:
    url = make_url(redis_url)
    try:
        socket.create_connection((url.host or "127.0.0.1", url.port or 6379), timeout=2).close()
    except OSError:
        return False
    return True


def _wait_healthy(client: httpx.Client, base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if client.get(f"{base}/health").status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not become healthy; its log:\n{log.read_text()[-3000:]}")


# --- data and callers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    role: str
    user_id: str  # the user read by id
    admin_email: str
    member_email: str  # an ordinary professional of `role`


def _seed(url: str, users: int) -> None:
    for args in (["db", "migrate"], ["db", "seed", "--demo", str(users), "--demo-seed", "7"]):
        done = subprocess.run([*_dreamery(), *args], env=_env(url), capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"dreamery {' '.join(args)} failed:\n{done.stderr[-3000:]}")


async def _callers(url: str) -> Fixture:
    """The role with most users, one of them to read, and two callers with PASSWORD: a new
    administrator and an ordinary professional of that role (its oldest but one, so not on
    the page listed)."""
    connection = await asyncpg.connect(url)
    try:
        role, other_role = [
            row["role_id"]
            for row in await connection.fetch(
                "SELECT role_id FROM users WHERE deleted_at IS NULL GROUP BY role_id "
                "ORDER BY count(*) DESC, role_id LIMIT 2"
            )
        ]
        members = await connection.fetch(
            "SELECT id, email FROM users WHERE role_id = $1 AND NOT is_admin AND is_active "
            "AND deleted_at IS NULL ORDER BY created_at, id LIMIT 2",
            role,
        )
    finally:
        await connection.close()
    async with DatabaseService(url, redis_url="") as db:
        admin = await db.create_user(
            {
                "email": ADMIN_EMAIL,
                "first_name": "Bench",
                "last_name": "Admin",
                # Not in the listed role: signing in changes the user, not the page.
                "role_id": other_role,
                "is_admin": True,
            }
        )
        await db.set_user_password(admin.id, PASSWORD)
        await db.set_user_password(members[1]["id"], PASSWORD)
    return Fixture(role, str(members[0]["id"]), ADMIN_EMAIL, members[1]["email"])


def _sign_in(client: httpx.Client, base: str, email: str) -> str:
    response = client.post(f"{base}/auth/login", data={"username": email, "password": PASSWORD})
    if response.status_code != 200:
        raise RuntimeError(f"sign-in as {email}: {response.status_code} {response.text}")
    token: str = response.json()["access_token"]
    return token


def _get(client: httpx.Client, url: str, token: str | None, label: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(url, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"{label}, GET {url}: {response.status_code} {response.text[:1000]}")
    return response.json()


def _check(answers: dict[tuple[str, str], Any], request: str, label: str, fixture: Fixture) -> None:
    """The bare endpoint's answers are the expected user and page; every hub's are the same."""
    got = answers[request, label]
    if label == BARE:
        if request == "by id" and got["id"] != fixture.user_id:
            raise RuntimeError(f"{label}: user {got['id']}, expected {fixture.user_id}")
        items = got.get("items", [])
        if request == "list" and (
            len(items) != 50 or {i["role_id"] for i in items} != {fixture.role}
        ):
            raise RuntimeError(f"{label}: expected 50 users of {fixture.role}, got {got}")
        return
    want = answers[request, BARE]
    if request == "list":
        got, want = got["items"], want["items"]
    if got != want:
        pairs = zip(got, want, strict=False) if request == "list" else [(got, want)]
        first = next(((g, w) for g, w in pairs if g != w), (len(got), len(want)))
        raise RuntimeError(f"{label}, {request}: the hub answers {first[0]}, bare {first[1]}")


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    seconds: int
    rounds: int
    threads: int
    connections: int


def _row(request: str, label: str, tally: Tally, bare: Tally | None) -> str:
    if bare is None:
        ratio = "(floor)"
    else:
        rounds = zip(tally.runs, bare.runs, strict=True)
        per_round = [run.per_second / floor.per_second for run, floor in rounds]
        spread = f" ({min(per_round):.0%}-{max(per_round):.0%})" if len(per_round) > 1 else ""
        ratio = f"{tally.per_second / bare.per_second:.0%}{spread}"
    failures = "; ".join(sorted({run.failures for run in tally.runs if run.failures})) or "none"

    def micros(seconds: float) -> str:
        return f"{seconds / tally.requests * 1e6:,.0f} µs"

    return (
        f"| {request} | {label} | {tally.per_second:,.0f} | {ratio} "
        f"| {statistics.median(r.p50_ms for r in tally.runs):.1f} ms "
        f"| {statistics.median(r.p99_ms for r in tally.runs):.1f} ms "
        f"| {micros(tally.server_cpu)} | {micros(tally.database_cpu)} "
        f"| {micros(tally.client_cpu)} | {tally.sessions:,} | {failures} |"
    )


def measure(
    url: str, fixture: Fixture, load: Load, *, redis_url: str | None, logs: Path
) -> list[str]:
    """Round after round, start each server alone, check its answers, load it with wrk.

    One server at a time keeps PostgreSQL connections few (the server is shared) and leaves
    no idle server holding memory or connections while another is measured.
    """
    paths = {
        "by id": f"/api/v1/users/{fixture.user_id}",
        "list": f"/api/v1/users?role_id={fixture.role}&limit=50",
    }
    names = ["bare", "hub", *(["hub+redis"] if redis_url else [])]
    ports = {name: _free_port() for name in names}
    envs = {
        "bare": {**_env(url), "BARE_DSN": url},
        "hub": _env(url),
        "hub+redis": _env(url, redis_url or ""),
    }
    commands = _commands(ports)
    options = {"threads": load.threads, "connections": load.connections}
    tokens: dict[str, str | None] = {"bare": None}
    answers: dict[tuple[str, str], Any] = {}
    tallies: dict[tuple[str, str], Tally] = {}
    for round_ in range(load.rounds):
        for name in names:
            base = f"http://127.0.0.1:{ports[name]}"
            log_path = logs / f"{name}.log"
            with (
                log_path.open("a") as log,
                serving(commands[name], envs[name], log) as pid,
                httpx.Client(timeout=30) as client,
            ):
                _wait_healthy(client, base, log_path)
                if name == "hub" and "admin" not in tokens:
                    tokens["admin"] = _sign_in(client, base, fixture.admin_email)
                    tokens["member"] = _sign_in(client, base, fixture.member_email)
                targets = {
                    "bare": [(BARE, "bare")],
                    "hub": [("hub, administrator", "admin"), ("hub, professional", "member")],
                    "hub+redis": [("hub, administrator, Redis", "admin")],
                }[name]
                for request, path in paths.items():
                    for label, caller in targets:
                        token = tokens[caller]
                        if round_ == 0:
                            answers[request, label] = _get(client, base + path, token, label)
                            _check(answers, request, label, fixture)
                        wrk(base + path, token, seconds=WARM_UP_SECONDS, **options)
                        tally = tallies.setdefault((request, label), Tally())
                        _measure_once(url, pid, base + path, token, load, tally)
                        last = tally.runs[-1]
                        print(
                            f"  round {round_ + 1}, {request}, {label}: "
                            f"{last.per_second:,.0f}/s, p99 {last.p99_ms:.1f} ms"
                            f"{', ' + last.failures if last.failures else ''}",
                            flush=True,
                        )
    rows = []
    for request, label in tallies:
        bare = tallies[request, BARE]
        tally = tallies[request, label]
        rows.append(_row(request, label, tally, None if tally is bare else bare))
    rows.sort(key=lambda row: row.split("|")[1] != " by id ")
    for name in names:
        text = (logs / f"{name}.log").read_text()
        if "Traceback" in text or "ERROR" in text:
            rows.append(f"\n{name} logged errors:\n{text[-3000:]}")
    return rows


def _measure_once(
    url: str, server: int, address: str, token: str | None, load: Load, tally: Tally
) -> None:
    """One wrk run, with the CPU the server's processes, its PostgreSQL backends and wrk
    itself spent on it, and the sessions the server opened meanwhile. A backend that ends
    during the run is not counted: for a pool that closes connections, PostgreSQL's CPU is
    a lower bound."""
    processes = process_tree(server)
    backends, sessions = asyncio.run(_database(url))
    before = cpu_seconds(processes), cpu_seconds(backends)
    client = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = wrk(
        address, token, seconds=load.seconds, threads=load.threads, connections=load.connections
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tally.client_cpu += after.ru_utime + after.ru_stime - client.ru_utime - client.ru_stime
    still, sessions_after = asyncio.run(_database(url))
    backends = sorted({*backends, *still})
    tally.sessions += sessions_after - sessions - 1  # less the session that asked
    tally.runs.append(parse_wrk(output))
    tally.server_cpu += cpu_since(before[0], cpu_seconds(processes))
    tally.database_cpu += cpu_since(before[1], cpu_seconds(backends))


async def _create_database(admin_dsn: str, name: str) -> None:
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop_database(admin_dsn: str, name: str) -> None:
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def run(
    postgres_admin: str,
    users: int = 10_000,
    *,
    seconds: int = 10,
    rounds: int = 3,
    threads: int = 1,
    connections: int = 32,
    redis_url: str | None = None,
) -> None:
    if not Path(WRK).exists():
        print(f"HTTP benchmark skipped: {WRK} not found (apt-get install wrk)")
        return
    if redis_url and not _reachable(redis_url):
        print(f"Redis at {redis_url} does not answer: the hub with Redis is left out")
        redis_url = None
    load = Load(seconds, rounds, threads, connections)
    admin_dsn = make_url(postgres_admin).set(drivername="postgresql").render_as_string(False)
    name = f"dreamery_bench_http_{os.getpid()}"
    url = make_url(admin_dsn).set(database=name).render_as_string(False)
    started = time.perf_counter()
    asyncio.run(_create_database(admin_dsn, name))
    try:
        _seed(url, users)
        fixture = asyncio.run(_callers(url))
        print(f"HTTP benchmark: role {fixture.role}, load average {os.getloadavg()[0]:.1f}")
        with tempfile.TemporaryDirectory() as logs:
            rows = measure(url, fixture, load, redis_url=redis_url, logs=Path(logs))
    finally:
        asyncio.run(_drop_database(admin_dsn, name))
    lines = [
        f"### HTTP: {WORKERS} uvicorn workers each, wrk -t{threads} -c{connections}, "
        f"{rounds} round{'s' if rounds != 1 else ''} of {seconds} s "
        f"({users:,} demo users, {os.cpu_count()} cores, "
        f"{time.perf_counter() - started:.0f} s in all)",
        "",
        "| request | server | requests/s | of bare (rounds) | p50 | p99 "
        "| CPU/request: server | PostgreSQL | wrk | new PostgreSQL sessions | failures |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Goal: the hub at {GOAL:.0%} or more of the bare endpoint's requests/s.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    run("postgresql://postgres@127.0.0.1:5432/postgres", seconds=5, rounds=1)
