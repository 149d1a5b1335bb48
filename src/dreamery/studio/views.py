"""One starlette-admin view per table, reading and writing through `DatabaseService` only.

Every method acts as the signed-in administrator (`Studio.acting`), so the service layer's
validation, access control and audit trail apply to each click. Lists page through the
facade's cursors (`listing`); forms send only the fields that changed, with the version they
were based on, so a concurrent change is a conflict rather than a silent overwrite; the
service's field errors are shown next to their fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette_admin import BaseModelView, RowActionsDisplayType, action, row_action
from starlette_admin.actions import ActionSelection
from starlette_admin.exceptions import ActionFailed, FormValidationError
from starlette_admin.export import CsvExporter
from starlette_admin.filters import FilterApplyContext, FilterGroup, FilterRule
from starlette_admin.flash import flash

from dreamery.core.crud import EntitySpec
from dreamery.core.errors import (
    ConflictError,
    DreameryError,
    NotFoundError,
    ValidationError,
)
from dreamery.core.pagination import Page
from dreamery.service import DatabaseService
from dreamery.studio import listing
from dreamery.studio.fields import (
    FieldPlan,
    Invalid,
    Query,
    accepts_none,
    build_fields,
    column_nullable,
    comparable,
    searchable_text,
)

if TYPE_CHECKING:
    from dreamery.studio.app import Studio

LABEL_ATTRIBUTES = ("name", "title", "company", "email", "file_name", "metric", "field", "slug")
SEARCH_MATCHES = 100  # users' ranked search: best matches shown


@dataclass(frozen=True)
class Entity:
    """A table as the studio shows it, and the facade methods that serve it."""

    key: str  # URL segment and view key
    label: str  # menu label (plural)
    spec: EntitySpec[Any, Any]
    single: str  # facade: create_<single>, find_<single>_by_id, update_<single>, ...
    plural: str  # facade: find_<plural>
    group: str  # menu group
    input_names: Mapping[str, str] = field(default_factory=dict)  # Read name -> input name

    def can(self, operation: str) -> bool:
        return hasattr(DatabaseService, f"{operation}_{self.single}")

    def input_name(self, name: str) -> str:
        return self.input_names.get(name, name)


def studio_http_error(error: DreameryError) -> HTTPException:
    """A service error as the error page shows it: its status and its message."""
    status = error.status if 400 <= error.status < 600 else 500
    return HTTPException(status, error.message)


def notify(request: Request, text: str, level: str = "info") -> None:
    """A note shown above the list (search limits, counts cut short, ...)."""
    notes: list[tuple[str, str]] | None = getattr(request.state, "studio_notes", None)
    if notes is None:
        notes = request.state.studio_notes = []
    if (level, text) not in notes:
        notes.append((level, text))


def notes_of(request: Request) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = getattr(request.state, "studio_notes", None) or []
    return notes


def _cache(request: Request) -> dict[Any, Any]:
    """Per-request memory of list results: the list page asks for rows, then for the count."""
    cache: dict[Any, Any] | None = getattr(request.state, "studio_lists", None)
    if cache is None:
        cache = request.state.studio_lists = {}
    return cache


def _rules(group: FilterGroup | FilterRule | None) -> list[FilterRule]:
    """The filter tree's rules, which must all hold (the facade combines filters with AND)."""
    if group is None:
        return []
    if isinstance(group, FilterRule):
        return [group]
    if group.logic == "or" and len(group.rules) > 1:
        raise HTTPException(
            400, "the studio combines filters with AND only: remove the OR group and try again"
        )
    return [rule for child in group.rules for rule in _rules(child)]


class EntityView(BaseModelView):
    """A table of the hub, browsed and edited through the facade."""

    page_size = 25
    page_size_options = [10, 25, 50, 100]
    # Cells starting with = + - @ are quoted: a spreadsheet must not run them as formulas.
    exporters = [CsvExporter(escape_formulas=True), "json"]
    importers = []
    row_actions_display_type = RowActionsDisplayType.ICON_LIST

    def __init__(self, studio: Studio, entity: Entity, references: Mapping[str, str]) -> None:
        self.studio = studio
        self.entity = entity
        spec = entity.spec
        self.spec = spec
        self.key = entity.key
        self.menu_label = entity.label
        self.display_name = spec.name.replace("_", " ")
        self.pk_attr = "id"
        self.show_pk_in_forms = True  # where ids are chosen (slugs), the create form asks
        self.plan = self._plan(references)
        self.fields = build_fields(spec, self.plan)
        names = {f.name for f in self.fields}
        self.searchable_fields = [f.name for f in self.fields if f.filters]
        self.sortable_fields = sorted(spec.sorts & names)
        self.fields_default_sort = (
            [(spec.default_sort, spec.descending)] if spec.default_sort in names else []
        )
        self.search_columns = [
            f.name for f in self.fields if f.name != "id" and f.type != "StudioJSONField"
        ]
        self.actions = [
            name
            for name, allowed in (
                ("delete", self._deletes),
                ("restore", self._restores),
                ("export", True),
            )
            if allowed
        ]
        self.row_actions = [
            name
            for name, allowed in (
                ("view", True),
                ("edit", entity.can("update")),
                ("delete", self._deletes),
                ("restore", self._restores),
            )
            if allowed
        ]
        super().__init__()

    # --- what the table allows ---------------------------------------------------------------
    def _plan(self, references: Mapping[str, str]) -> FieldPlan:
        spec, entity = self.spec, self.entity
        read = set(spec.read_schema.model_fields)
        create = set(spec.create_schema.model_fields) if entity.can("create") else set()
        update = (
            set(spec.update_schema.model_fields) - {"version"} if entity.can("update") else set()
        )
        return FieldPlan(
            creatable=frozenset(n for n in read if entity.input_name(n) in create),
            editable=frozenset(n for n in read if entity.input_name(n) in update),
            references={n: key for n, key in references.items() if n in read},
            filters={n: n for n in spec.filters if n in read},
            input_names=entity.input_names,
        )

    @property
    def _deletes(self) -> bool:
        return self.entity.can("delete")

    @property
    def _restores(self) -> bool:
        return self.spec.soft_deletes and self.entity.can("restore")

    def title(self, request: Request) -> str:
        return f"{self.menu_label} · Dreamery Studio"

    def can_create(self, request: Request) -> bool:
        return self.entity.can("create")

    def can_edit(self, request: Request) -> bool:
        return self.entity.can("update")

    def can_delete(self, request: Request) -> bool:
        return self._deletes

    def can_import(self, request: Request) -> bool:
        return False

    async def is_action_allowed(self, request: Request, name: str) -> bool:
        if name == "restore":
            return self._restores
        return await super().is_action_allowed(request, name)

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        deleted = getattr(obj, "deleted_at", None) is not None
        if deleted and name not in ("view", "restore"):
            return False
        if not deleted and name == "restore":
            return False
        return await self.is_row_action_allowed(request, name)

    # --- reading ------------------------------------------------------------------------------
    def _db(self, request: Request) -> DatabaseService:
        return self.studio.acting(request)

    def _query(self, filters: FilterGroup | None) -> Query:
        by_name = {f.name: f for f in self.fields}
        query = Query({})
        for rule in _rules(filters):
            candidates = by_name[rule.field].filters or []
            filter_class = next(c for c in candidates if c.name == rule.filter)
            context = FilterApplyContext(
                query=query, field_name=rule.field, value=rule.value, value2=rule.value2
            )
            query = filter_class().apply(context)
        return query

    def _sort(self, sorts: Sequence[tuple[str, str]] | None) -> tuple[str | None, bool | None]:
        for name, direction in sorts or []:
            if name in self.spec.sorts:
                return name, direction == "desc"
        return None, None

    def _fetch(
        self, db: DatabaseService, query: Query, sort: str | None, descending: bool | None
    ) -> listing.Fetch:
        find: Callable[..., Any] = getattr(db, f"find_{self.entity.plural}")
        options: dict[str, Any] = dict(query.filters)
        if self.spec.soft_deletes:
            options["include_deleted"] = query.include_deleted

        async def fetch(cursor: str | None, limit: int, with_total: bool) -> Page[Any]:
            page: Page[Any] = await find(
                sort=sort,
                descending=descending,
                cursor=cursor,
                limit=limit,
                with_total=with_total,
                **options,
            )
            return page

        return fetch

    def _matches(self, q: str) -> Callable[[Any], bool]:
        words = q.lower().split()

        def matches(item: Any) -> bool:
            text = " ".join(searchable_text(getattr(item, n, None)) for n in self.search_columns)
            text = text.lower()
            return all(word in text for word in words)

        return matches

    async def _search(
        self,
        request: Request,
        db: DatabaseService,
        q: str,
        query: Query,
        sort: str | None,
        descending: bool | None,
    ) -> list[Any]:
        found, more = await listing.scan(self._fetch(db, query, sort, descending), self._matches(q))
        if more:
            notify(
                request,
                f"The search read the first {listing.SCAN_LIMIT:,} rows in this order and found "
                f"{len(found)}; add filters to search the rest.",
                "warning",
            )
        return found

    async def _searched(
        self,
        request: Request,
        q: str | None,
        query: Query,
        sort: str | None = None,
        descending: bool | None = None,
        *,
        any_order: bool = False,
    ) -> list[Any] | None:
        """Every row matching `q` (None when there is no search), once per request."""
        if not q or not q.strip():
            return None
        key = ("search", self.key, q, repr(query))
        cached = _cache(request).get(key)
        if cached is not None and (any_order or cached[0] == (sort, descending)):
            found: list[Any] = cached[1]
            return found
        found = await self._search(request, self._db(request), q.strip(), query, sort, descending)
        _cache(request)[key] = ((sort, descending), found)
        return found

    async def find_all(
        self,
        request: Request,
        skip: int = 0,
        limit: int = 100,
        q: str | None = None,
        sorts: Sequence[tuple[str, str]] | None = None,
        filters: FilterGroup | None = None,
    ) -> Sequence[Any]:
        query = self._query(filters)
        if query.impossible:
            return []
        sort, descending = self._sort(sorts)
        try:
            found = await self._searched(request, q, query, sort, descending)
            if found is not None:
                return found[skip : skip + limit] if limit > 0 else found[skip:]
            fetch = self._fetch(self._db(request), query, sort, descending)
            items, total = await listing.rows(fetch, skip, limit if limit > 0 else None)
        except DreameryError as error:
            raise studio_http_error(error) from None
        if total is not None:
            _cache(request)[("total", self.key, repr(query))] = total
        return items

    async def count(
        self, request: Request, q: str | None = None, filters: FilterGroup | None = None
    ) -> int:
        query = self._query(filters)
        if query.impossible:
            return 0
        try:
            found = await self._searched(request, q, query, any_order=True)
            if found is not None:
                return len(found)
            known = _cache(request).get(("total", self.key, repr(query)))
            if known is not None:
                return int(known)
            total, capped = await listing.count(self._fetch(self._db(request), query, None, None))
        except DreameryError as error:
            raise studio_http_error(error) from None
        if capped:
            notify(
                request,
                f"More than {total:,} rows match: only the first {total:,} are listed. "
                "Filter to see the others.",
                "warning",
            )
        return total

    async def find_by_pk(self, request: Request, pk: Any) -> Any:
        find = getattr(self._db(request), f"find_{self.entity.single}_by_id")
        try:
            return await find(pk, include_deleted=True)
        except NotFoundError:
            return None
        except DreameryError as error:
            raise studio_http_error(error) from None

    async def find_by_pks(self, request: Request, pks: list[Any]) -> Sequence[Any]:
        found = [await self.find_by_pk(request, pk) for pk in pks]
        return [item for item in found if item is not None]

    async def get_serialized_pk_value(self, request: Request, obj: Any) -> Any:
        return str(obj.id)

    async def repr(self, obj: Any, request: Request) -> str:
        return label_of(obj)

    # --- writing ------------------------------------------------------------------------------
    def _input(
        self, request: Request, data: Mapping[str, Any], *, current: Any = None
    ) -> dict[str, Any]:
        """The input the facade gets from a form: on edit only the fields that changed."""
        schema = self.spec.update_schema if current is not None else self.spec.create_schema
        allowed = self.plan.editable if current is not None else self.plan.creatable
        payload: dict[str, Any] = {}
        errors: dict[str | int, Any] = {}
        for name, value in data.items():
            if name not in allowed:
                continue
            if isinstance(value, Invalid):
                errors[name] = value.message
                continue
            if value == "" and accepts_none(schema, self.entity.input_name(name)):
                value = None
            if current is not None:
                if comparable(value) == comparable(getattr(current, name, None)):
                    continue
                if value is None and not column_nullable(self.spec, name):
                    errors[name] = "is required"
                    continue
            elif value is None:
                continue
            payload[self.entity.input_name(name)] = value
        if errors:
            raise FormValidationError(errors)
        return payload

    def _form_errors(self, request: Request, error: ValidationError) -> FormValidationError:
        """The service's field errors, each next to its field; others above the form."""
        fields = {self.entity.input_name(f.name): f.name for f in self.fields}
        by_field: dict[str | int, Any] = {}
        general: list[str] = []
        for problem in error.errors:
            head, _, rest = problem.field.partition(".")
            message = f"{problem.message} (at {rest})" if rest else problem.message
            if head in fields:
                name = fields[head]
                by_field[name] = f"{by_field[name]}; {message}" if name in by_field else message
            else:
                general.append(f"{problem.field}: {problem.message}")
        if general or not by_field:
            flash(request, "; ".join(general) or error.message, "error")
        return FormValidationError(by_field)

    async def create(self, request: Request, data: dict[str, Any]) -> Any:
        payload = self._input(request, data)
        try:
            return await getattr(self._db(request), f"create_{self.entity.single}")(payload)
        except ValidationError as error:
            raise self._form_errors(request, error) from None
        except DreameryError as error:
            flash(request, error.message, "error")
            raise FormValidationError({}) from None

    async def edit(self, request: Request, pk: Any, data: dict[str, Any]) -> Any:
        form = await request.form()
        submitted = form.get("_version")
        version = int(submitted) if isinstance(submitted, str) and submitted.isdigit() else None
        request.state.studio_version = version
        current = await self.find_by_pk(request, pk)
        if current is None:
            raise HTTPException(404, f"no {self.display_name} with id {pk}")
        if getattr(current, "deleted_at", None) is not None:
            flash(request, f"This {self.display_name} is deleted: restore it first.", "error")
            raise FormValidationError({})
        payload = self._input(request, data, current=current)
        if not payload:
            return current
        update = getattr(self._db(request), f"update_{self.entity.single}")
        try:
            return await update(pk, payload, expected_version=version)
        except ValidationError as error:
            raise self._form_errors(request, error) from None
        except ConflictError as error:
            fresh = await self.find_by_pk(request, pk)
            request.state.studio_version = getattr(fresh, "version", None)
            flash(
                request,
                f"{error.message}. Your values are still in the form; the stored ones are on "
                "the detail page. Save again to replace them with yours.",
                "error",
            )
            raise FormValidationError({}) from None
        except DreameryError as error:
            flash(request, error.message, "error")
            raise FormValidationError({}) from None

    async def _each(self, request: Request, pks: Sequence[Any], operation: str, verb: str) -> int:
        run = getattr(self._db(request), f"{operation}_{self.entity.single}")
        done = 0
        for pk in pks:
            try:
                await run(pk)
            except DreameryError as error:
                prefix = f"{verb} {done} of {len(pks)}; then " if done else ""
                raise ActionFailed(f"{prefix}{self.display_name} {pk}: {error.message}") from None
            done += 1
        return done

    async def delete(self, request: Request, pks: list[Any]) -> int | None:
        return await self._each(request, pks, "delete", "deleted")

    @row_action(
        name="restore",
        text="Restore",
        confirmation="Restore this row?",
        icon_class="fa fa-rotate-left",
        submit_btn_text="Yes, restore",
    )
    async def restore_row(self, request: Request, pk: Any) -> None:
        await self._each(request, [pk], "restore", "restored")
        flash(request, f"The {self.display_name} {pk} was restored.", "success")

    @action(
        name="restore",
        text="Restore",
        confirmation="Restore the selected rows?",
        submit_btn_text="Yes, restore",
    )
    async def restore_rows(self, request: Request, selection: ActionSelection) -> None:
        restored = await self._each(request, await selection.pks(), "restore", "restored")
        flash(request, f"{restored} row(s) restored.", "success")

    # --- pages --------------------------------------------------------------------------------
    def page_notes(self, request: Request) -> list[tuple[str, Markup]]:
        """Alerts shown above the list: (level, HTML)."""
        return [(level, escape(text)) for level, text in notes_of(request)]

    def related_links(self, request: Request, obj: Any) -> list[tuple[str, str]]:
        """Lists of other tables' rows that point at `obj` (and its audit trail)."""
        return self.studio.related_links(request, self, obj)


class UserView(EntityView):
    """Users, searched through the hub's ranked search (names, email, company, specialties)."""

    async def _search(
        self,
        request: Request,
        db: DatabaseService,
        q: str,
        query: Query,
        sort: str | None,
        descending: bool | None,
    ) -> list[Any]:
        found = await db.search_users(q, role_id=query.filters.get("role_id"), limit=SEARCH_MATCHES)
        rest = {k: v for k, v in query.filters.items() if k != "role_id"}
        notify(request, "Search results are ranked by relevance, best first.")
        if len(found) >= SEARCH_MATCHES:
            notify(
                request,
                f"Showing the {SEARCH_MATCHES} best matches; a more precise search finds others.",
                "warning",
            )
        if query.include_deleted:
            notify(request, "The search does not look at deleted users.", "warning")
        return [
            user
            for user in found
            if all(comparable(getattr(user, k, None)) == comparable(v) for k, v in rest.items())
        ]


def label_of(obj: Any) -> str:
    """A short human name for a row: its name, title or email, else its id."""
    if hasattr(obj, "first_name") and hasattr(obj, "email"):
        return f"{obj.first_name} {obj.last_name} <{obj.email}>"
    for name in LABEL_ATTRIBUTES:
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value
    return str(getattr(obj, "id", "?"))


def filter_link(base: str, rules: Mapping[str, Any]) -> str:
    """A list URL filtered by `field == value` for each rule (all must hold)."""
    expression = " AND ".join(f"{name}__eq={_quoted(str(value))}" for name, value in rules.items())
    return f"{base}?{urlencode({'filter': expression})}"


def _quoted(value: str) -> str:
    if any(c in value for c in ' ()\t\n",') or ".." in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


__all__ = ["Entity", "EntityView", "UserView", "filter_link", "label_of", "notify"]
