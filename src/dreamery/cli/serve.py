"""`dreamery serve`: run the HTTP API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from dreamery.cli.app import app, console, fail, load_settings, require_migrated, run
from dreamery.core.config import Settings, is_sqlite, mask_url
from dreamery.core.errors import DatabaseUnavailableError, DreameryError


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    prepare: Annotated[
        bool,
        typer.Option(
            "--prepare",
            help="First migrate the database to head, seed the catalogue and make sure an "
            "administrator exists (what `make run` does), in this one process.",
        ),
    ] = False,
) -> None:
    """Serve the API (docs at /docs) and the studio (at /studio)."""
    import uvicorn

    try:
        settings = load_settings()
        settings.check_production()
    except DreameryError as error:
        fail(str(error), error)
    if prepare:
        run(_prepare(settings))
    if workers > 1 and not settings.redis_url:
        fail(
            f"--workers {workers} needs REDIS_URL: without Redis each worker counts rate limits "
            "and sign-in failures on its own, so every limit would be multiplied by the number "
            "of workers. Set REDIS_URL, or serve with one worker."
        )
    reachable = run(_check_schema(settings.database_url))
    if reachable and not is_sqlite(settings.database_url):
        problem = run(_check_connections(settings.database_url, workers, settings))
        if problem:
            fail(problem)
    base = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0', '::') else host}:{port}"
    console.print(f"Dreamery Hub ({settings.environment}) on {base}")
    console.print(f"  database  {mask_url(settings.database_url)}")
    console.print(f"  API docs  {base}/docs   (sign in with the Authorize button)")
    console.print(f"  studio    {base}/studio (administrators)")
    uvicorn.run(
        "dreamery.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # X-Forwarded-For is believed only from FORWARDED_ALLOW_IPS, by the app itself.
        proxy_headers=False,
    )


async def _prepare(settings: Settings) -> None:
    """`db migrate`, `db seed` and `users ensure-admin`, without starting Python three more
    times: each step is the command's own code, so each says what it says there."""
    from dreamery.cli.db import migrate_database, seed_database
    from dreamery.cli.users import ensure_first_admin

    await migrate_database(settings.owner_database_url)
    await seed_database(settings.owner_database_url)
    await ensure_first_admin()


async def _check_schema(database_url: str) -> bool:
    """Refuse to listen on a database that is missing, not migrated or behind: every request
    would fail. A PostgreSQL server that cannot be reached yet is not checked: the hub
    starts, and /ready says when the database is there and at head. Whether it was reached."""
    try:
        await require_migrated(database_url)
    except DatabaseUnavailableError as error:
        if is_sqlite(database_url):
            raise  # a file that cannot be opened will not appear by waiting
        console.print(
            f"  [yellow]warning:[/] schema and connections not checked: {error}", soft_wrap=True
        )
        return False
    return True


# Connections PostgreSQL keeps for others: superusers' reserve comes on top of this, for the
# CLI, migrations, backups and a psql session while the hub runs.
RESERVE = 5


async def _check_connections(database_url: str, workers: int, settings: Settings) -> str | None:
    """Refuse to start more workers than the server has connections for, saying the numbers
    (each worker's pool may open DB_POOL_SIZE + DB_MAX_OVERFLOW). A database that cannot be
    reached yet is not checked: the hub starts, and /ready says when it is there."""
    from sqlalchemy import text

    from dreamery.core.db import create_engine, explain_connection_error

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            limit = int(await connection.scalar(text("SHOW max_connections")) or 0)
            reserved = int(
                await connection.scalar(text("SHOW superuser_reserved_connections")) or 0
            )
    except Exception as error:
        # Serve anyway: /ready says when the database is there; the budget is checked then.
        reason = explain_connection_error(error, database_url)
        console.print(f"  [yellow]warning:[/] connections not checked: {reason}")
        return None
    finally:
        await engine.dispose()
    per_worker = settings.db_pool_size + settings.db_max_overflow
    wanted, available = workers * per_worker, limit - reserved - RESERVE
    if wanted > available:
        return (
            f"--workers {workers} may open {wanted} connections ({workers} * (DB_POOL_SIZE "
            f"{settings.db_pool_size} + DB_MAX_OVERFLOW {settings.db_max_overflow})), but the "
            f"server allows {limit} (max_connections) less {reserved} reserved for superusers "
            f"and {RESERVE} kept for maintenance: {available}. Lower DB_POOL_SIZE or "
            "DB_MAX_OVERFLOW, serve fewer workers, or put PgBouncer in front (see the README)."
        )
    console.print(
        f"  connections up to {wanted} of the server's {available} ({workers} * {per_worker})"
    )
    return None
