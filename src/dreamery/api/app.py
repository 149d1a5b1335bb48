"""The application factory: `dreamery serve` and the tests build the app here."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from dreamery.api import health, problems
from dreamery.catalog import routes as catalog_routes
from dreamery.service import DatabaseService

REQUEST_ID_HEADER = "X-Request-ID"


def create_app(service: DatabaseService | None = None) -> FastAPI:
    """The hub's API; `service` is injected by tests, otherwise built from the settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = service is None
        app.state.db = service or DatabaseService()
        try:
            yield
        finally:
            if owned:
                await app.state.db.close()

    app = FastAPI(
        title="Dreamery Hub",
        version="1.0",
        description="The data platform for real-estate professionals.",
        lifespan=lifespan,
    )
    if service is not None:
        app.state.db = service
    problems.install(app)

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request.state.request_id = (
            given[:64] if given.isprintable() and given else str(uuid.uuid4())
        )
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        return response

    app.include_router(health.router)
    app.include_router(catalog_routes.router, prefix="/api/v1")
    return app
