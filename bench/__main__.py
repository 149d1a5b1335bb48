"""`python -m bench`: run the benchmarks and print a Markdown report."""

from __future__ import annotations

import argparse
import asyncio

from bench.seed_demo import run as run_seed_demo


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--users", type=int, default=10_000, help="demo users to generate")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="admin URL of a PostgreSQL server to create a scratch database on ('' to skip)",
    )
    args = parser.parse_args()
    asyncio.run(run_seed_demo(args.users, args.postgres or None))


if __name__ == "__main__":
    main()
