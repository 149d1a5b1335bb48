"""`dreamery audit`: check the audit trail's hash chain."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from dreamery.audit import service as audit
from dreamery.cli.app import app, console, fail, load_settings, run
from dreamery.core.db import create_engine, create_sessionmaker
from dreamery.core.errors import DreameryError
from dreamery.migrations import maintenance

group = typer.Typer(help="Inspect the audit trail.", no_args_is_help=True)
app.add_typer(group, name="audit")


class AuditChainError(DreameryError):
    code = "audit_chain_broken"


def _read_head(path: Path) -> tuple[int, str]:
    try:
        data = json.loads(path.read_text())
        seq, digest = int(data["seq"]), str(data["hash"])
    except FileNotFoundError:
        fail(f"--expect-head: {path} does not exist")
    except (ValueError, KeyError, TypeError):
        fail(f"--expect-head: {path} is not a head exported by `dreamery audit verify`")
    if len(digest) != 64 or seq < 0:
        fail(f"--expect-head: {path} holds no valid head")
    return seq, digest


@group.command()
def verify(
    expect_head: Annotated[
        Path | None,
        typer.Option(help="A head exported earlier; the chain must still contain it."),
    ] = None,
    export_head: Annotated[
        Path | None, typer.Option(help="Write the current head (seq and hash) to this file.")
    ] = None,
) -> None:
    """Recompute the hash chain; name the first row altered, removed, inserted or reordered."""
    try:
        url = str(load_settings().database_url)
    except DreameryError as error:
        fail(str(error), error)
    expected = _read_head(expect_head) if expect_head else None
    if expected is not None and expected[0] == 0:
        expected = None  # exported from an empty trail: anything since extends it

    async def go() -> audit.Verdict:
        engine = create_engine(url)
        try:
            await maintenance.require_head(engine)
            async with create_sessionmaker(engine)() as session:
                verdict = await audit.verify(session, expected_head=expected)
        finally:
            await engine.dispose()
        if not verdict.ok:
            raise AuditChainError(f"audit trail broken: {verdict.problem}")
        return verdict

    verdict = run(go())
    if export_head is not None:
        export_head.write_text(
            json.dumps(
                {
                    "seq": verdict.head_seq or 0,
                    "hash": verdict.head_hash or audit.GENESIS,
                    "exported_at": datetime.now(UTC).isoformat(),
                },
                indent=2,
            )
            + "\n"
        )
    console.print(
        f"Audit trail intact: {verdict.rows} row(s), head seq {verdict.head_seq or 0}"
        + (f", hash {verdict.head_hash}" if verdict.head_hash else "")
        + "."
    )
