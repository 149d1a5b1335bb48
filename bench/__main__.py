"""`python -m bench`: run the benchmarks and print a Markdown report."""

from __future__ import annotations

import argparse
import asyncio

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
    parser.add_argument("--only", choices=["seed", "service", "search"], help="run one benchmark")
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
    if args.only in (None, "search") and args.postgres:
        asyncio.run(run_search(args.postgres, args.search_users))


if __name__ == "__main__":
    main()
