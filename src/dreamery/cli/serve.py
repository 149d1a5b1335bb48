"""`dreamery serve`: run the HTTP API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from dreamery.cli.app import app, console, fail, load_settings
from dreamery.core.config import mask_url
from dreamery.core.errors import DreameryError


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve the API (docs at /docs) and the studio (at /studio)."""
    import uvicorn

    try:
        settings = load_settings()
        settings.check_production()
    except DreameryError as error:
        fail(str(error), error)
    if workers > 1 and not settings.redis_url:
        fail(
            f"--workers {workers} needs REDIS_URL: without Redis each worker counts rate limits "
            "and sign-in failures on its own, so every limit would be multiplied by the number "
            "of workers. Set REDIS_URL, or serve with one worker."
        )
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
