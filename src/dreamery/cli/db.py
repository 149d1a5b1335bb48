"""`dreamery db`: the database life cycle (generate, push, migrate, seed, reset, status) and
the studio, a browser GUI over the data (`dreamery db studio`).

A command that drops data (`db reset`, `db restore`, `db push --accept-data-loss` when the
models drop a table or column that holds data) refuses, with `DREAMERY_ENV=production`,
unless it is also given `--delete-production-data`, and says what it would drop.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import webbrowser
from typing import Annotated, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dreamery.catalog.data import CatalogError, load_catalog
from dreamery.catalog.seed import seed_catalog
from dreamery.cli.app import app, console, fail, load_settings, require_migrated, run
from dreamery.core.config import mask_url
from dreamery.core.db import create_engine, create_sessionmaker, ping, unit_of_work
from dreamery.core.errors import CatalogFileError, DreameryError
from dreamery.migrations import maintenance
from dreamery.migrations import runner as migrations

db = typer.Typer(help="Create, migrate, seed and inspect the database.", no_args_is_help=True)
app.add_typer(db, name="db")

MAX_DEMO_USERS = 1_000_000
PRODUCTION_FLAG = "--delete-production-data"
DeleteProduction = Annotated[
    bool,
    typer.Option(
        PRODUCTION_FLAG, help="With DREAMERY_ENV=production: yes, drop the production data."
    ),
]


def _url() -> str:
    try:
        return str(load_settings().owner_database_url)
    except DreameryError as error:
        fail(str(error), error)


def _where(url: str) -> str:
    return mask_url(url)


async def _status(url: str) -> maintenance.DatabaseStatus | None:
    engine = create_engine(url)
    try:
        return await maintenance.status(engine)
    except DreameryError:
        return None  # not migrated, or not reachable: the command itself will say
    finally:
        await engine.dispose()


def _in_production() -> bool:
    try:
        return bool(load_settings().environment == "production")
    except DreameryError as error:
        fail(str(error), error)


def _refuse_production(url: str, verb: str, what: str) -> NoReturn:
    fail(
        f"DREAMERY_ENV=production: db {verb} would drop {what} in {_where(url)}. "
        f"Pass {PRODUCTION_FLAG} as well to do it anyway."
    )


def guard_production(url: str, verb: str, allowed: bool) -> None:
    """Refuse to drop production data unless `allowed`, naming what would go."""
    if allowed or not _in_production():
        return
    state = run(_status(url))
    if state is None or not state.row_counts:
        what = "every table"
    else:
        total = sum(state.row_counts.values())
        largest = sorted(state.row_counts.items(), key=lambda item: -item[1])[:4]
        listed = ", ".join(f"{name} {count:,}" for name, count in largest)
        what = f"{len(state.row_counts)} tables holding {total:,} rows ({listed}, ...)"
    _refuse_production(url, verb, what)


@db.command()
def migrate(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Upgrade the database to the latest migration (or to --revision)."""
    run(migrate_database(_url(), revision))


async def migrate_database(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision`, saying from where to where."""
    engine = create_engine(url)
    try:
        before = await maintenance.current_revision(engine)
    finally:
        await engine.dispose()
    if revision == "head" and before == migrations.head_revision():
        console.print(f"{_where(url)} is up to date at {before}.")
        return
    await migrations.upgrade(url, revision)
    after = await migrations.current_revision(url)
    console.print(f"Migrated {_where(url)}: {before or 'empty'} -> {after}.")


@db.command()
def generate(
    message: Annotated[str, typer.Option("-m", "--message", help="What the migration does.")],
) -> None:
    """Write a new migration from the difference between the models and the database."""
    if not message.strip():
        fail("--message: describe the migration in a few words")
    url = _url()

    async def go() -> None:
        engine = create_engine(url)
        try:
            await maintenance.require_head(engine)
        finally:
            await engine.dispose()
        path = await migrations.generate(url, message.strip())
        if path is None:
            console.print("The models and the migrations agree: nothing to generate.")
        else:
            console.print(f"Wrote {path}. Review it, then run `dreamery db migrate`.")

    run(go())


@db.command()
def push(
    accept_data_loss: Annotated[
        bool, typer.Option("--accept-data-loss", help="Allow dropping tables or columns with data.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan only.")] = False,
    delete_production_data: DeleteProduction = False,
) -> None:
    """Bring a development database to the models without writing a migration."""
    url = _url()
    if accept_data_loss and not dry_run and not delete_production_data and _in_production():
        risk = run(maintenance.push(url, accept_data_loss=True, dry_run=True)).data_loss
        if risk:
            _refuse_production(url, "push --accept-data-loss", f"data ({'; '.join(risk)})")
        # Nothing holds data now; should something come to meanwhile, the push refuses it.
        accept_data_loss = False

    async def go() -> None:
        plan = await maintenance.push(url, accept_data_loss=accept_data_loss, dry_run=dry_run)
        if not plan.operations:
            console.print(f"{_where(url)} already matches the models.")
            return
        verb = "Would apply" if dry_run else "Applied"
        console.print(f"{verb} {len(plan.operations)} change(s) to {_where(url)}:")
        for line in plan.operations:
            console.print(f"  - {line}")

    run(go())


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
        disable=not console.is_terminal,
    )


async def seed_database(url: str, demo: int = 0, demo_seed: int | None = None) -> None:
    """Seed the catalogue (and `demo` demo professionals), with progress bars."""
    # Faker is slow to import; only load it here.
    from dreamery.catalog.demo import DemoProgress, seed_demo
    from dreamery.workflows.demo import demo_run_count, seed_demo_runs

    try:
        catalog = load_catalog()
    except CatalogError as error:
        raise CatalogFileError(f"catalogue: {error}") from error
    engine = create_engine(url)
    try:
        await maintenance.require_head(engine)
        sessions = create_sessionmaker(engine)
        with _progress() as progress:
            steps = progress.add_task("Seeding catalogue", total=6)

            def advance(label: str) -> None:
                progress.update(steps, advance=1, description=f"Seeding {label}")

            async with unit_of_work(sessions) as session:
                report = await seed_catalog(session, catalog, progress=advance)
            progress.update(steps, completed=6)
            if demo:
                made = progress.add_task("Generating demo professionals", total=demo)
                saved = progress.add_task("Writing demo professionals", total=demo)

                def seeding(where: DemoProgress) -> None:
                    progress.update(made, completed=where.generated)
                    progress.update(saved, completed=where.written)

                async with unit_of_work(sessions) as session:
                    demo_report = await seed_demo(
                        session, demo, catalog=catalog, seed=demo_seed, progress=seeding
                    )
                driven = progress.add_task("Running demo workflows", total=None)
                async with unit_of_work(sessions) as session:
                    demo_runs = await seed_demo_runs(session, demo_run_count(demo))
                progress.update(driven, total=1, completed=1)
    finally:
        await engine.dispose()
    if report.changed:
        parts = [
            f"{what} " + ", ".join(f"{n} {t}" for t, n in counts.items())
            for what, counts in report.summary().items()
        ]
        console.print("Catalogue: " + "; ".join(parts) + ".")
    else:
        console.print("Catalogue: already up to date, nothing changed.")
    if demo:
        rows = ", ".join(f"{n} {t}" for t, n in demo_report.rows.items())
        console.print(f"Demo: added {demo_report.users} professionals ({rows}).")
        if demo_runs:
            states = ", ".join(f"{n} {state}" for state, n in sorted(demo_runs.items()))
            console.print(f"Demo: ran {demo_runs.total()} workflows on cases ({states}).")


@db.command()
def seed(
    demo: Annotated[
        int,
        typer.Option("--demo", min=0, max=MAX_DEMO_USERS, help="Also add N demo professionals."),
    ] = 0,
    demo_seed: Annotated[
        int | None, typer.Option("--demo-seed", help="Random seed, for repeatable demo data.")
    ] = None,
) -> None:
    """Seed the catalogue, permissions and starter content (safe to rerun)."""
    run(seed_database(_url(), demo, demo_seed))


@db.command()
def reset(
    force: Annotated[bool, typer.Option("--force", help="Do not ask for confirmation.")] = False,
    delete_production_data: DeleteProduction = False,
) -> None:
    """Drop everything, migrate and seed: a fresh database."""
    url = _url()
    guard_production(url, "reset", delete_production_data)
    if not force:
        if not sys.stdin.isatty():
            fail("db reset deletes all data; pass --force to confirm when not at a terminal")
        if not typer.confirm(f"Delete ALL data in {_where(url)}?", default=False):
            fail("reset cancelled; nothing was changed")

    async def go() -> None:
        engine = create_engine(url, sqlite_foreign_keys=False, statement_timeout=False)
        try:
            await ping(engine)
            dropped = await maintenance.drop_everything(engine)
        finally:
            await engine.dispose()
        console.print(f"Dropped {len(dropped)} table(s) from {_where(url)}.")
        await migrations.upgrade(url)
        console.print(f"Migrated to {migrations.head_revision()}.")
        await seed_database(url)

    run(go())


def _browser_available() -> bool:
    """Whether a graphical browser can open: on Linux and BSD only with a display, so that a
    text browser never takes over the terminal."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _port_taken(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


@db.command()
def studio(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 5555,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the address instead of opening it.")
    ] = False,
) -> None:
    """Browse and edit the data in your browser (administrators sign in)."""
    import uvicorn

    from dreamery.service import DatabaseService
    from dreamery.studio import STUDIO_PATH, create_studio

    url = _url()
    try:
        settings = load_settings()
        settings.check_production()
    except DreameryError as error:
        fail(str(error), error)

    run(require_migrated(url))
    if _port_taken(host, port):
        fail(f"--port: {host}:{port} is already in use; choose another port")
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    address = f"http://{shown}:{port}{STUDIO_PATH}/"

    async def announce() -> None:
        console.print(
            f"Dreamery Studio on {address} ({_where(url)}); Ctrl+C stops it.", soft_wrap=True
        )
        opened = False
        if not no_browser and _browser_available():
            opened = await asyncio.to_thread(webbrowser.open, address)
        if not opened:
            console.print(
                f"Open {address} in your browser and sign in as an administrator.",
                soft_wrap=True,
            )

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                await announce()

    async def serve() -> None:
        async with DatabaseService(url) as service:
            app = create_studio(service, settings)
            await Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).serve()

    run(serve())


@db.command()
def status() -> None:
    """Show the database, its migration state and the rows in each table."""
    url = _url()

    async def go() -> maintenance.DatabaseStatus:
        engine = create_engine(url)
        try:
            return await maintenance.status(engine)
        finally:
            await engine.dispose()

    state = run(go())
    console.print(f"Database: {_where(url)} ({state.backend})")
    console.print(f"Revision: {state.current or 'none (not migrated)'}; head: {state.head}")
    if state.pending:
        console.print(f"Pending migrations: {len(state.pending)}")
        for revision in state.pending:
            console.print(f"  - {revision.revision} {revision.message or ''}")
        console.print("Run `dreamery db migrate` to apply them.")
    else:
        console.print("Pending migrations: none")
    if state.row_counts:
        table = Table("table", "rows", title="Rows per table")
        for name, count in sorted(state.row_counts.items()):
            table.add_row(name, f"{count:,}")
        console.print(table)
    if state.unknown_tables:
        console.print("Tables not in the models: " + ", ".join(state.unknown_tables))
