"""`python -m bench`: run the benchmarks and print a Markdown report."""

from __future__ import annotations

import argparse
import asyncio

from bench.http_load import run as run_http
from bench.runs import run as run_runs
from bench.search import run as run_search
from bench.seed_demo import run as run_seed_demo
from bench.service import run as run_service


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--users", type=int, default=10_000, help="demo users to generate")
    parser.add_argument(
        "--service-users",
        type=int,
        default=100_000,
        help="demo users behind the service benchmark (deep keyset page needs >= 100,050)",
    )
    parser.add_argument("--calls", type=int, default=300, help="calls per service operation")
    parser.add_argument(
        "--search-users",
        type=int,
        default=1_000_000,
        help="users behind the PostgreSQL search benchmark",
    )
    parser.add_argument(
        "--http-users", type=int, default=10_000, help="demo users behind the HTTP benchmark"
    )
    parser.add_argument("--http-seconds", type=int, default=10, help="length of one wrk run")
    parser.add_argument(
        "--http-rounds", type=int, default=3, help="times each server takes its turn under wrk"
    )
    parser.add_argument("--http-threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--http-connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/14",  # the test suite uses 15
        help="Redis for a second hub with shared rate-limit counters ('' to skip)",
    )
    parser.add_argument(
        "--only",
        choices=["seed", "service", "runs", "search", "http"],
        help="run one benchmark (http, the wrk load test, runs only when asked for)",
    )
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="admin URL of a PostgreSQL server to create a scratch database on ('' to skip)",
    )
    args = parser.parse_args()
    if args.only in (None, "seed"):
        asyncio.run(run_seed_demo(args.users, args.postgres or None))
    if args.only in (None, "service"):
        asyncio.run(run_service(args.postgres or None, args.service_users, args.calls))
    if args.only in (None, "runs"):
        asyncio.run(run_runs(args.postgres or None, args.calls))
    if args.only in (None, "search") and args.postgres:
        asyncio.run(run_search(args.postgres, args.search_users))
    if args.only == "http" and args.postgres:
        run_http(
            args.postgres,
            args.http_users,
            seconds=args.http_seconds,
            rounds=args.http_rounds,
            threads=args.http_threads,
            connections=args.http_connections,
            redis_url=args.redis or None,
        )


if __name__ == "__main__":
    main()
