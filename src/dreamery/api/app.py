"""The application factory: `dreamery serve` and the tests build the app here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from dreamery.analytics import routes as analytics
from dreamery.api import auth, docs, health, home, openapi, problems
from dreamery.api.deps import HubGateway, OpenSessions
from dreamery.api.guards import Guards
from dreamery.audit import routes as audit
from dreamery.auth.throttle import Limiter
from dreamery.cases import routes as cases
from dreamery.catalog import routes as catalog
from dreamery.compliance import routes as compliance
from dreamery.core.config import Settings, get_settings
from dreamery.core.http.headers import SecurityHeaders
from dreamery.documents import routes as documents
from dreamery.notifications import routes as notifications
from dreamery.organizations import routes as organizations
from dreamery.rbac import routes as rbac
from dreamery.service import DatabaseService
from dreamery.tasks import routes as tasks
from dreamery.users import routes as users
from dreamery.workflows import routes as workflows

# Each domain's routes, mounted under /api/v1 in this order (the order of the docs).
DOMAIN_ROUTERS = (
    users.router,
    organizations.router,
    cases.router,
    catalog.router,
    rbac.router,
    workflows.router,
    documents.router,
    compliance.router,
    analytics.router,
    tasks.router,
    notifications.router,
    audit.router,
)


def _api_routes() -> list[BaseRoute]:
    """Health, sign-in and the domain routes (under /api/v1), built once per process and
    shared by every app built here: FastAPI prepares a route's fields and dependencies when it
    is first matched, about 5 ms a route, so a router included anew in each app would repay
    that in each one. The routes hold no state of an app's (they reach the database, settings
    and limiter through the request's app), so sharing them is sharing code; the OpenAPI
    document made from them is shared the same way (`api.openapi`)."""
    if not _API.routes:
        _API.include_router(health.router)
        _API.include_router(auth.router)
        for router in DOMAIN_ROUTERS:
            _API.include_router(router, prefix="/api/v1")
    return list(_API.routes)


_API = APIRouter()

DESCRIPTION = """The data platform for real-estate professionals.

**Signing in.** `POST /auth/login` with your email as `username` and your password (the
*Authorize* button above does this), then send `Authorization: Bearer <access_token>`. Access
tokens last minutes; trade the refresh token at `POST /auth/refresh` for a new pair.

**Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `code`;
422 lists every field error by path. Lists are cursor-paginated: pass `next_cursor` back as
`cursor`. Updates take `If-Match: "<version>"` (or `version` in the body) and answer 409 when
the record changed meanwhile.
"""


def create_app(service: DatabaseService | None = None, settings: Settings | None = None) -> FastAPI:
    """The hub's API; `service` is injected by tests, otherwise built from the settings."""
    settings = settings or get_settings()
    settings.check_production()
    settings.signing_key()  # made now if it must be, so that no request waits for it
    limiter = Limiter(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = service is None
        app.state.db = service or DatabaseService()
        try:
            yield
        finally:
            await limiter.close()
            if owned:
                await app.state.db.close()

    app = FastAPI(
        title="Dreamery Hub",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by `docs`, whose policy knows their scripts
        redoc_url=None,
    )
    app.state.limiter = limiter
    app.state.settings = settings
    app.state.gateway = HubGateway(app.state)
    app.state.sessions = OpenSessions()
    if service is not None:
        app.state.db = service
    problems.install(app)
    openapi.install(app)
    pages = docs.install(app)
    app.router.routes.extend(_api_routes())
    from dreamery.studio import STUDIO_PATH, mount_studio

    studio = mount_studio(app, lambda: app.state.db, settings=settings, limiter=limiter)
    pages[STUDIO_PATH] = studio.pages
    home.install(app, studio=STUDIO_PATH)

    app.add_middleware(Guards, limiter=limiter, settings=settings)
    app.add_middleware(SecurityHeaders, hsts=settings.environment == "production", pages=pages)
    if settings.forwarded_allow_ips:
        # Outermost: the client address every limit and audit row sees is the one the
        # trusted proxy vouches for, and only a trusted proxy's X-Forwarded-For counts.
        trusted = [host.strip() for host in settings.forwarded_allow_ips.split(",")]
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
    return app
