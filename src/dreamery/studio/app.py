"""Assembling the studio: its views, sign-in, guards and error pages, mounted at `/studio`.

`mount_studio(app, service)` adds it to the hub's FastAPI app (`dreamery serve`);
`create_studio(service, settings)` builds a stand-alone app for `dreamery db studio`.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette_admin import BaseAdmin, CustomView, DropDown, HtmlWidget
from starlette_admin.export import ExportConfig
from starlette_admin.i18n import TimezoneConfig

from dreamery.audit.service import AUDIT_LOGS
from dreamery.auth.throttle import Limiter
from dreamery.core.config import Settings, get_settings
from dreamery.core.context import RequestContext
from dreamery.core.entities import EntitySpec
from dreamery.core.errors import DreameryError
from dreamery.core.http.headers import InlineCode, Pages, SecurityHeaders
from dreamery.core.logs import log_unexpected
from dreamery.service import ENTITIES, DatabaseService
from dreamery.studio.audit import AuditView, ChainCheck
from dreamery.studio.auth import StudioAuth
from dreamery.studio.labels import studio_label
from dreamery.studio.runs import RunView
from dreamery.studio.security import SESSION_COOKIE, SESSION_SECONDS, StudioGuard, inline_code
from dreamery.studio.views import EntityView, filter_link
from dreamery.workflows.runs import RUNS

log = logging.getLogger("dreamery.studio")

STUDIO_PATH = "/studio"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
EXPORT_MAX_ROWS = 50_000
ServiceGetter = Callable[[], DatabaseService]


@dataclass(frozen=True)
class Related:
    """Rows of another table that point at the row shown: how many, and where to list them."""

    label: str
    url: str
    count: int | None = None


class Studio:
    """What the studio's views share: the service, the settings and the sign-in limiter."""

    def __init__(self, service: ServiceGetter, settings: Settings, limiter: Limiter) -> None:
        self.get_service = service
        self.settings = settings
        self.limiter = limiter
        self.entities: tuple[EntitySpec[Any, Any], ...] = ENTITIES
        self.views: dict[str, EntityView] = {}
        self.pages = Pages()  # what its pages may run: set once its templates are loaded

    @property
    def idle_seconds(self) -> int:
        """How long an administrator may leave the studio before being signed out."""
        return self.settings.studio_idle_minutes * 60

    # --- who is acting -----------------------------------------------------------------------
    @staticmethod
    def client_ip(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def request_context(self, request: Request) -> RequestContext:
        agent = request.headers.get("user-agent")
        request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
        return RequestContext(
            request_id=str(request_id)[:64],
            ip_address=self.client_ip(request)[:45],
            user_agent=agent[:500] if agent else None,
        )

    def service(self, request: Request) -> DatabaseService:
        """The facade with no user (sign-in), recording where the request came from."""
        return self.get_service().with_request(self.request_context(request))

    def acting(self, request: Request) -> DatabaseService:
        """The facade acting as the signed-in administrator."""
        user_id: uuid.UUID = request.state.studio_user_id
        return self.get_service().acting_as(user_id, self.request_context(request))

    # --- links between tables ------------------------------------------------------------------
    def keys_by_table(self) -> dict[str, str]:
        return {spec.model.__tablename__: spec.path for spec in self.entities}

    def keys_by_spec_name(self) -> dict[str, str]:
        return {spec.name: spec.path for spec in self.entities if spec is not AUDIT_LOGS}

    def references(self, spec: EntitySpec[Any, Any]) -> dict[str, str]:
        """column -> key of the view of the table its foreign key points to."""
        tables = self.keys_by_table()
        found: dict[str, str] = {}
        for column in spec.model.__table__.columns:
            for foreign_key in column.foreign_keys:
                key = tables.get(foreign_key.column.table.name)
                if key is not None:
                    found[column.key] = key
        return found

    async def related(self, request: Request, view: EntityView, obj: Any) -> list[Related]:
        """The rows of other tables that point at `obj`, each kind with how many there are
        and a link to their filtered list; then its audit trail."""
        links: list[Related] = []
        pk = str(obj.id)
        db = self.acting(request)
        for key, other in self.views.items():
            if isinstance(other, AuditView):
                continue
            for field_name, target in other.plan.references.items():
                if target == view.key and field_name in other.plan.filters:
                    label = f"{other.menu_label} ({field_name.replace('_', ' ')})"
                    url = filter_link(self.list_url(request, key), {field_name: pk})
                    try:
                        count: int | None = await db.count(
                            other.spec, filters={other.plan.filters[field_name]: pk}
                        )
                    except DreameryError:
                        count = None
                    links.append(Related(label, url, count))
        audit_list = self.list_url(request, AUDIT_LOGS.path)
        links.append(
            Related(
                "Audit trail of this record",
                filter_link(audit_list, {"resource": view.spec.name, "resource_id": pk}),
            )
        )
        return links

    @staticmethod
    def list_url(request: Request, key: str) -> str:
        return str(request.url_for(request.app.state.ROUTE_NAME + ":list", key=key))


class StudioHome(CustomView):
    """The first page: every table by group, with how many rows each holds."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        super().__init__(
            menu_label="Home", path="/", route_name="index", add_to_menu=False, widget=self.build
        )

    async def build(self, request: Request) -> HtmlWidget:
        groups: dict[str, list[str]] = defaultdict(list)
        for view in self.studio.views.values():
            url = escape(self.studio.list_url(request, view.spec.path))
            if isinstance(view, AuditView):
                size = "with its chain verification"
            else:
                try:
                    rows = await view.count(request)
                    size = f"{rows:,} row{'' if rows == 1 else 's'}"
                except HTTPException:
                    size = "count unavailable"
            groups[view.spec.group].append(
                f'<li><a href="{url}">{escape(view.menu_label)}</a> '
                f'<span class="text-secondary">{escape(size)}</span></li>'
            )
        cards = "".join(
            f'<div class="col-md-4 mb-3"><div class="card"><div class="card-body">'
            f'<h3 class="card-title">{escape(group)}</h3><ul class="list-unstyled mb-0">'
            f"{''.join(items)}</ul></div></div></div>"
            for group, items in groups.items()
        )
        return HtmlWidget(
            html=(
                "<h2>Dreamery Studio</h2><p class='text-secondary'>Every change goes through "
                "the service layer as you, with its checks and its audit trail.</p>"
                f'<div class="row">{cards}</div>'
            )
        )


class StudioAdmin(BaseAdmin):
    """starlette-admin with the hub's error pages."""

    def mount_to(self, app: Starlette) -> None:
        super().mount_to(app)
        self.app.add_exception_handler(DreameryError, self._service_error)
        self.app.add_exception_handler(Exception, self._unexpected_error)

    async def _service_error(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, DreameryError)
        return await self._render_error(request, HTTPException(error.status, error.message))

    async def _unexpected_error(self, request: Request, error: Exception) -> Response:
        if isinstance(error, DreameryError):
            message = error.message
        else:
            log_unexpected(
                log, "studio: unexpected error on %s %s", error, request.method, request.url.path
            )
            message = "Something went wrong on our side; the error was logged."
        home = escape(f"{request.scope.get('root_path', '')}/")
        return HTMLResponse(
            "<!DOCTYPE html><title>Dreamery Studio</title>"
            f"<h1>Dreamery Studio</h1><p>{escape(message)}</p><p><a href='{home}'>Back</a></p>",
            status_code=500 if not isinstance(error, DreameryError) else error.status,
        )


_INLINE_CODE: dict[tuple[str, str], InlineCode] = {}


def _inline_code(admin: StudioAdmin) -> InlineCode:
    """The inline code of the studio's templates, found once per process: every studio is
    built from the same templates and theme (an app is built per test, too)."""
    key = (admin.templates_dir, type(admin.theme).__qualname__)
    if key not in _INLINE_CODE:
        _INLINE_CODE[key] = inline_code(admin.templates.env)
    return _INLINE_CODE[key]


def build_studio(studio: Studio, *, path: str = STUDIO_PATH) -> StudioAdmin:
    settings = studio.settings
    secret = settings.signing_key()
    admin = StudioAdmin(
        title="Dreamery Studio",
        base_url=path,
        route_name="studio",
        templates_dir=str(TEMPLATES),
        static_dir=str(STATIC),
        index_view=StudioHome(studio),
        auth_provider=StudioAuth(studio),
        secret_key=secret,
        middlewares=[
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_SECONDS,
                path=path,
                same_site="strict",
                https_only=settings.environment == "production",
            ),
            Middleware(StudioGuard, public_url=settings.public_url),
        ],
        i18n_config=None,
        timezone_config=TimezoneConfig(default_timezone="UTC", database_timezone="UTC"),
        export_config=ExportConfig(max_rows=EXPORT_MAX_ROWS),
    )
    admin.templates.env.globals["studio_label"] = studio_label
    studio.pages = Pages(code=_inline_code(admin))
    chain = ChainCheck(studio.get_service)
    groups: dict[str, list[EntityView]] = defaultdict(list)
    for spec in studio.entities:
        view: EntityView
        if spec is AUDIT_LOGS:
            view = AuditView(studio, spec, chain)
        elif spec is RUNS:
            view = RunView(studio, spec, studio.references(spec))
        else:
            view = EntityView(studio, spec, studio.references(spec))
        studio.views[spec.path] = view
        groups[spec.group].append(view)
    for group, views in groups.items():
        if len(views) == 1:
            admin.add_view(views[0])
        else:
            admin.add_view(DropDown(group, views=list(views), always_open=False))
    return admin


def mount_studio(
    app: Starlette,
    service: ServiceGetter,
    *,
    settings: Settings | None = None,
    limiter: Limiter | None = None,
    path: str = STUDIO_PATH,
) -> Studio:
    """Mount the studio on `app` at `path`; `service` returns the app's DatabaseService when
    a request comes (it may be created later, in the app's lifespan). A `limiter` given is
    shared with the app (the app closes it); otherwise the studio keeps one in memory. The
    app's `SecurityHeaders` should give `path` the studio's `pages`."""
    settings = settings or get_settings()
    studio = Studio(
        service, settings, limiter or Limiter(settings.model_copy(update={"redis_url": None}))
    )
    build_studio(studio, path=path).mount_to(app)
    return studio


def create_studio(service: DatabaseService, settings: Settings | None = None) -> Starlette:
    """The studio on its own, at `/studio` (`/` redirects there), for `dreamery db studio`."""
    settings = settings or get_settings()
    limiter = Limiter(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await limiter.close()

    async def home(_request: Request) -> Response:
        return RedirectResponse(f"{STUDIO_PATH}/", status_code=307)

    app = Starlette(routes=[Route("/", home)], lifespan=lifespan)
    studio = mount_studio(app, lambda: service, settings=settings, limiter=limiter)
    app.add_middleware(
        SecurityHeaders,
        hsts=settings.environment == "production",
        pages={STUDIO_PATH: studio.pages},
    )
    return app


__all__ = ["STUDIO_PATH", "Related", "Studio", "create_studio", "mount_studio"]
