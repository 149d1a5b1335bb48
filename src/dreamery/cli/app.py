"""Top-level Typer app: global options and the one place errors become messages."""

from __future__ import annotations

import asyncio
import sys
import traceback
import warnings
from collections.abc import Coroutine
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError as PydanticValidationError
from rich.console import Console

from dreamery.core.config import get_settings
from dreamery.core.errors import ConfigurationError, DreameryError, validator_message

T = TypeVar("T")

app = typer.Typer(
    name="dreamery",
    help="Dreamery Hub: the data platform for real-estate professionals.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)


class _State:
    debug = False


state = _State()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    state.debug = debug


def load_settings() -> Any:
    """Settings, or a ConfigurationError naming the setting that is wrong."""
    try:
        return get_settings()
    except PydanticValidationError as error:
        first = error.errors()[0]
        setting = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = validator_message(str(first["msg"]))
        raise ConfigurationError(setting, message) from error


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; turn known failures into one line and exit code 1."""
    try:
        return asyncio.run(coroutine)
    except DreameryError as error:
        fail(str(error), error)
    except KeyboardInterrupt:
        errors.print("[red]error:[/] interrupted")
        raise typer.Exit(130) from None
    except Exception as error:  # anything unexpected still gets one line, not a traceback
        fail(f"unexpected {type(error).__name__}: {error} (rerun with --debug for details)", error)


async def require_migrated(database_url: str) -> None:
    """Refuse, in one line, a command that needs the schema when the database is missing, not
    migrated or behind (SchemaError: "run `dreamery db migrate`"); the one check every such
    command makes before it touches a table."""
    from dreamery.core.db import create_engine
    from dreamery.migrations import maintenance

    engine = create_engine(database_url)
    try:
        await maintenance.require_head(engine)
    finally:
        await engine.dispose()


def fail(message: str, error: BaseException | None = None) -> NoReturn:
    if state.debug and error is not None:
        traceback.print_exception(error, file=sys.stderr)
    errors.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def load_commands() -> typer.Typer:
    """The app with every command group registered (each module adds its own on import)."""
    from dreamery.cli import audit, backups, db, orgs, serve, users  # noqa: F401

    # SQLite cannot reflect the lower(email) index; schema comparison says so on every run.
    warnings.filterwarnings("ignore", message=".*expression-based index")
    return app


def main() -> None:
    load_commands()()
