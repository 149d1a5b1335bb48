"""The floor for the HTTP benchmark: a bare Starlette app on asyncpg, no hub code on the path.

It answers the two benchmarked requests with the SQL the hub runs and the same JSON fields,
and does nothing else: no authentication, no rate limiting, no access control, no input
validation beyond the path converter, no transaction. Run it as the benchmark does:

    BARE_DSN=postgresql://postgres@127.0.0.1:5432/db uvicorn bench.bare_http:app --workers 2
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dreamery.core.pagination import encode_cursor

# The columns `select(User)` loads, in its order: the hub reads the whole row.
COLUMNS = (
    "id, email, first_name, last_name, role_id, is_active, is_admin, password_hash, "
    "last_login_at, search_text, created_at, updated_at, deleted_at, version"
)
BY_ID = f"SELECT {COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL"
BY_ROLE = (
    f"SELECT {COLUMNS} FROM users WHERE deleted_at IS NULL AND role_id = $1 "
    "ORDER BY created_at DESC, id DESC LIMIT $2"
)
# What UserRead returns.
FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "version",
    "email",
    "first_name",
    "last_name",
    "role_id",
    "is_active",
    "is_admin",
    "last_login_at",
    "deleted_at",
)
POOL_SIZE = 20  # the hub's engine: pool_size 10 + max_overflow 10 per worker


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _user(row: asyncpg.Record) -> dict[str, Any]:
    return {name: _plain(row[name]) for name in FIELDS}


def _json(body: Any, status_code: int = 200) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(content, status_code=status_code, media_type="application/json")


async def get_user(request: Request) -> Response:
    pool: asyncpg.Pool = request.app.state.pool
    row = await pool.fetchrow(BY_ID, request.path_params["user_id"])
    if row is None:
        return _json({"code": "not_found"}, 404)
    return _json(_user(row))


async def list_users(request: Request) -> Response:
    pool: asyncpg.Pool = request.app.state.pool
    limit = int(request.query_params.get("limit", "20"))
    rows = await pool.fetch(BY_ROLE, request.query_params["role_id"], limit + 1)
    page = rows[:limit]
    more = len(rows) > limit and page
    cursor = (
        encode_cursor("user:created_at:True", (page[-1]["created_at"], page[-1]["id"]))
        if more
        else None
    )
    return _json(
        {"items": [_user(r) for r in page], "next_cursor": cursor, "total": None, "limit": limit}
    )


async def health(_request: Request) -> Response:
    return _json({"status": "ok"})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["BARE_DSN"], min_size=2, max_size=POOL_SIZE
    )
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/api/v1/users", list_users),
        Route("/api/v1/users/{user_id:uuid}", get_user),
    ],
    lifespan=lifespan,
)
