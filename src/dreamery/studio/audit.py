"""The audit trail in the studio: read-only, filtered by actor, record and time, with the
verdict of the hash-chain verification above the list.

Rows are read with `DatabaseService.find_audit_logs`, newest first. `ChainCheck` asks
`DatabaseService.verify_audit_trail` (what `dreamery audit verify` runs) for the verdict, keeps
it for `VERDICT_SECONDS`, and "Verify now" on the page runs it again at once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette_admin import EnumField
from starlette_admin.exceptions import ActionFailed
from starlette_admin.types import RequestAction

from dreamery.audit import service as audit
from dreamery.core.entities import EntitySpec
from dreamery.core.pagination import Page
from dreamery.core.types import utcnow
from dreamery.models.enums import AuditAction
from dreamery.service import DatabaseService
from dreamery.studio import listing
from dreamery.studio.fields import (
    ChangesField,
    Query,
    RecordField,
    ReferenceField,
    Since,
    StudioDateTimeField,
    StudioStringField,
    equals_filter,
)
from dreamery.studio.views import EntityView

if TYPE_CHECKING:
    from dreamery.studio.app import Studio

VERDICT_SECONDS = 30


@dataclass(frozen=True)
class CheckedChain:
    verdict: audit.Verdict
    checked_at: datetime


class ChainCheck:
    """The latest verdict on the audit chain, recomputed when older than `VERDICT_SECONDS`."""

    def __init__(self, service: Callable[[], DatabaseService]) -> None:
        self.service = service
        self._lock = asyncio.Lock()
        self._last: tuple[float, CheckedChain] | None = None

    async def verdict(self, *, fresh: bool = False) -> CheckedChain:
        async with self._lock:
            now = time.monotonic()
            if not fresh and self._last is not None and now - self._last[0] < VERDICT_SECONDS:
                return self._last[1]
            verdict = await self.service().verify_audit_trail()
            checked = CheckedChain(verdict, utcnow())
            self._last = (now, checked)
            return checked


def _actor(text: str) -> str:
    """`system` or a user id."""
    if text == "system":
        return text
    return str(uuid.UUID(text))


class AuditView(EntityView):
    """The audit trail: newest first, filterable, exportable, never editable."""

    row_click_navigate = False

    def __init__(self, studio: Studio, spec: EntitySpec[Any, Any], chain: ChainCheck) -> None:
        self.chain = chain
        self.studio = studio
        self.spec = spec
        self.key = spec.path
        self.menu_label = "Audit trail"
        self.display_name = "audit row"
        self.pk_attr = "id"
        references = studio.references(spec)  # user_id -> the users' view, from the FK
        self.plan = self._plan(references)
        self.fields = [
            StudioDateTimeField("timestamp", label="When", filters=[Since], list_format=None),
            EnumField("action", enum=AuditAction),
            StudioStringField(
                "resource",
                label="Table",
                filters=[equals_filter("resource", str)],
            ),
            RecordField(
                "resource_id",
                label="Record",
                filters=[equals_filter("resource_id", str)],
                extra={"targets": studio.keys_by_spec_name()},
            ),
            ChangesField("changes"),
            ReferenceField(
                "actor",
                label="Actor",
                extra={"target": references["user_id"], "loose": True},
                filters=[equals_filter("actor_id", _actor, "system or a user id")],
            ),
            ReferenceField(
                "user_id",
                label="User",
                extra={"target": references["user_id"]},
                filters=[equals_filter("actor_id", uuid.UUID, "a user id")],
            ),
            StudioStringField("ip_address", label="IP address"),
            StudioStringField("request_id", label="Request id", exclude_from_list=True),
            StudioStringField("user_agent", label="User agent", exclude_from_list=True),
            StudioStringField("id", label="Id", exclude_from_list=True),
        ]
        self.searchable_fields = [f.name for f in self.fields if f.filters]
        self.sortable_fields = []
        self.fields_default_sort = []
        self.search_columns = ["action", "resource", "resource_id", "actor", "changes"]
        self.actions = ["export"]
        self.row_actions = []
        super(EntityView, self).__init__()

    def can_create(self, request: Request) -> bool:
        return False

    def can_edit(self, request: Request) -> bool:
        return False

    def can_delete(self, request: Request) -> bool:
        return False

    def can_view_detail(self, request: Request) -> bool:
        return False

    def _fetch(
        self, db: DatabaseService, query: Query, sort: str | None, descending: bool | None
    ) -> listing.Fetch:
        options = dict(query.filters)

        async def fetch(cursor: str | None, limit: int, with_total: bool) -> Page[Any]:
            return await db.find_audit_logs(cursor=cursor, limit=limit, **options)

        return fetch

    async def find_all(
        self,
        request: Request,
        skip: int = 0,
        limit: int = 100,
        q: str | None = None,
        sorts: Sequence[tuple[str, str]] | None = None,
        filters: Any = None,
    ) -> Sequence[Any]:
        if request.state.action == RequestAction.LIST:
            fresh = request.query_params.get("verify") == "now"
            request.state.studio_chain = await self.chain.verdict(fresh=fresh)
        return await super().find_all(request, skip, limit, q, sorts, filters)

    async def find_by_pk(self, request: Request, pk: Any) -> Any:
        return None

    async def find_by_pks(self, request: Request, pks: list[Any]) -> Sequence[Any]:
        raise ActionFailed(
            "audit rows are exported by filter: choose 'all matching rows' or the current page"
        )

    def page_notes(self, request: Request) -> list[tuple[str, Markup]]:
        notes = super().page_notes(request)
        checked: CheckedChain | None = getattr(request.state, "studio_chain", None)
        if checked is None:
            return notes
        verdict = checked.verdict
        when = checked.checked_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        again = escape(f"{request.url.path}?verify=now")
        if verdict.ok:
            text = (
                f"Audit chain intact: {verdict.rows:,} rows, head seq {verdict.head_seq or 0} "
                f"(verified {when})."
            )
            level = "success"
        else:
            text = (
                f"Audit chain broken at row #{verdict.first_bad_seq}: {verdict.problem} "
                f"(verified {when})."
            )
            level = "danger"
        banner = Markup('{} <a href="{}">Verify now</a>').format(text, again)
        return [(level, banner), *notes]


__all__ = ["AuditView", "ChainCheck"]
