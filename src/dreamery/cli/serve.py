"""`dreamery serve`: run the HTTP API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from dreamery.cli.app import app, console


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve the API (docs at /docs)."""
    import uvicorn

    console.print(f"Dreamery Hub on http://{host}:{port} (API docs at /docs)")
    uvicorn.run(
        "dreamery.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
