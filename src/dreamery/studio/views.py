"""One starlette-admin view per entity, reading and writing through `DatabaseService` only.

A view is built from the entity's spec: its fields from the Read schema, its forms from the
create and update schemas, its filters and sorts, the operations it offers and its named
operations (as row actions, see `operations`). Every call acts as the signed-in
administrator (`Studio.acting`), so the service layer's validation, access control and audit
trail apply to each click. Lists page through the facade's cursors (`listing`); forms send
only the fields that changed, with the version they were based on, so a concurrent change is
a conflict rather than a silent overwrite. A service error becomes what the page can show in
one place, `_translated`: field errors next to their fields on a form, a message on an
action, an error page elsewhere.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette_admin import BaseField, BaseModelView, RowActionsDisplayType, action, row_action
from starlette_admin.actions import ActionSelection
from starlette_admin.exceptions import ActionFailed, FormValidationError
from starlette_admin.export import CsvExporter
from starlette_admin.filters import FilterApplyContext, FilterGroup, FilterRule
from starlette_admin.flash import flash
from starlette_admin.types import FilterChip, ListParams, RequestAction

from dreamery.core.entities import Action, Crud, EntitySpec
from dreamery.core.errors import (
    ConflictError,
    DreameryError,
    DuplicateError,
    NotFoundError,
    ValidationError,
)
from dreamery.core.pagination import Page
from dreamery.service import DatabaseService
from dreamery.studio import labels, listing, operations
from dreamery.studio.fields import (
    FieldPlan,
    Invalid,
    Query,
    RecordField,
    ReferenceField,
    accepts_none,
    build_fields,
    column_nullable,
    comparable,
    input_keys,
    searchable_text,
)

if TYPE_CHECKING:
    from starlette.datastructures import QueryParams

    from dreamery.studio.app import Related, Studio

SEARCH_MATCHES = 100  # ranked search: best matches shown


class Surface(Enum):
    """Where a service error is shown."""

    PAGE = "page"  # an error page
    FORM = "form"  # next to the form's fields, or above the form
    ACTION = "action"  # the message of a (row) action


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
    """An entity of the hub, browsed and edited through the facade."""

    page_size = 25
    page_size_options = [10, 25, 50, 100]
    # Cells starting with = + - @ are quoted: a spreadsheet must not run them as formulas.
    exporters = [CsvExporter(escape_formulas=True), "json"]
    importers = []
    row_actions_display_type = RowActionsDisplayType.ICON_LIST

    def __init__(
        self, studio: Studio, spec: EntitySpec[Any, Any], references: Mapping[str, str]
    ) -> None:
        self.studio = studio
        self.spec = spec
        self.key = spec.path
        self.menu_label = spec.path.replace("-", " ").capitalize()
        self.display_name = spec.label
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
                ("edit", spec.offered(Crud.UPDATE)),
                ("delete", self._deletes),
                ("restore", self._restores),
            )
            if allowed
        ] + [operations.row_action_name(a) for a in spec.actions.values()]
        super().__init__()

    # --- what the entity allows --------------------------------------------------------------
    def _plan(self, references: Mapping[str, str]) -> FieldPlan:
        spec = self.spec
        read = set(spec.read_schema.model_fields)
        create = input_keys(spec.create_schema) if spec.offered(Crud.CREATE) else set()
        update = (
            input_keys(spec.update_schema) - {"version"} if spec.offered(Crud.UPDATE) else set()
        )
        return FieldPlan(
            creatable=frozenset(read & create),
            editable=frozenset(read & update),
            references={n: key for n, key in references.items() if n in read},
            filters={n: n for n in spec.filter_types if n in read},
        )

    def _init_row_actions(self) -> None:
        super()._init_row_actions()
        for declared in self.spec.actions.values():
            name = operations.row_action_name(declared)
            self._row_actions[name] = operations.row_action_config(declared)
            self._row_actions_handlers[name] = operations.handler(self, declared)

    @property
    def _deletes(self) -> bool:
        return self.spec.offered(Crud.DELETE)

    @property
    def _restores(self) -> bool:
        return self.spec.offered(Crud.RESTORE)

    def title(self, request: Request) -> str:
        shown: str | None = getattr(request.state, "studio_title", None)
        if shown:
            return f"{shown} · {self.menu_label} · Dreamery Studio"
        return f"{self.menu_label} · Dreamery Studio"

    def can_create(self, request: Request) -> bool:
        return self.spec.offered(Crud.CREATE)

    def can_edit(self, request: Request) -> bool:
        return self.spec.offered(Crud.UPDATE)

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
        declared = operations.declared(self.spec, name)
        if declared is not None and not declared.applies_to(obj):
            return False
        return await self.is_row_action_allowed(request, name)

    async def handle_row_action(self, request: Request, pk: Any, name: str) -> Response | None:
        # A named operation is offered where it applies, and decides for itself: a form sent
        # for a row that has moved on meanwhile gets the operation's own reason, not "Forbidden".
        if operations.declared(self.spec, name) is not None:
            await self._row_actions_handlers[name](request, pk)
            return None
        return await super().handle_row_action(request, pk, name)

    # --- service errors, as this surface shows them ----------------------------------------------
    @contextmanager
    def _errors(self, request: Request, surface: Surface) -> Iterator[None]:
        try:
            yield
        except DreameryError as error:
            raise self._translated(request, error, surface) from None

    def _translated(self, request: Request, error: DreameryError, surface: Surface) -> Exception:
        if surface is Surface.FORM:
            if isinstance(error, ValidationError | DuplicateError):
                return self._form_errors(request, error)
            flash(request, error.message, "error")
            return FormValidationError({})
        if surface is Surface.ACTION:
            if isinstance(error, ValidationError):
                return ActionFailed("; ".join(f"{e.field}: {e.message}" for e in error.errors))
            return ActionFailed(error.message)
        status = error.status if 400 <= error.status < 600 else 500
        return HTTPException(status, error.message)

    def _form_errors(
        self, request: Request, error: ValidationError | DuplicateError
    ) -> FormValidationError:
        """The service's field errors, each next to its field; others above the form."""
        fields = {f.name for f in self.fields}
        by_field: dict[str | int, Any] = {}
        general: list[str] = []
        for problem in error.errors:
            head, _, rest = problem.field.partition(".")
            message = f"{problem.message} (at {rest})" if rest else problem.message
            if head in fields:
                by_field[head] = f"{by_field[head]}; {message}" if head in by_field else message
            else:
                general.append(f"{problem.field}: {problem.message}")
        if general or not by_field:
            flash(request, "; ".join(general) or error.message, "error")
        return FormValidationError(by_field)

    # --- reading ------------------------------------------------------------------------------
    def db(self, request: Request) -> DatabaseService:
        """The facade acting as the signed-in administrator."""
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
        spec, filters = self.spec, dict(query.filters)
        include_deleted = query.include_deleted and spec.soft_deletes

        async def fetch(cursor: str | None, limit: int, with_total: bool) -> Page[Any]:
            page: Page[Any] = await db.find(
                spec,
                filters=filters,
                sort=sort,
                descending=descending,
                cursor=cursor,
                limit=limit,
                with_total=with_total,
                include_deleted=include_deleted,
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
        if self.spec.search is not None:
            return await self._ranked(request, db, q, query)
        found, more = await listing.scan(self._fetch(db, query, sort, descending), self._matches(q))
        if more:
            notify(
                request,
                f"The search read the first {listing.SCAN_LIMIT:,} rows in this order and found "
                f"{len(found)}; add filters to search the rest.",
                "warning",
            )
        return found

    async def _ranked(
        self, request: Request, db: DatabaseService, q: str, query: Query
    ) -> list[Any]:
        """The entity's own ranked search (e.g. people by name, email, company, specialties)."""
        found = await db.search(self.spec, q, filters=query.filters, limit=SEARCH_MATCHES)
        notify(request, "Search results are ranked by relevance, best first.")
        if len(found) >= SEARCH_MATCHES:
            notify(
                request,
                f"Showing the {SEARCH_MATCHES} best matches; a more precise search finds others.",
                "warning",
            )
        if query.include_deleted:
            notify(request, "The search does not look at deleted rows.", "warning")
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
        found = await self._search(request, self.db(request), q.strip(), query, sort, descending)
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
        with self._errors(request, Surface.PAGE):
            found = await self._searched(request, q, query, sort, descending)
            if found is not None:
                items = found[skip : skip + limit] if limit > 0 else found[skip:]
                await self._labelled(request, items, filters)
                return items
            fetch = self._fetch(self.db(request), query, sort, descending)
            items, total = await listing.rows(fetch, skip, limit if limit > 0 else None)
        if total is not None:
            _cache(request)[("total", self.key, repr(query))] = total
        await self._labelled(request, items, filters)
        return items

    # --- labels -------------------------------------------------------------------------------
    def references_of(self, obj: Any) -> Iterable[tuple[str, str]]:
        """(view key, id) of every row `obj` points to."""
        for field in self.fields:
            if isinstance(field, ReferenceField | RecordField):
                found = field.reference(obj)
                if found is not None:
                    yield found

    def _filtered_references(self, filters: FilterGroup | None) -> Iterable[tuple[str, str]]:
        by_name = {f.name: f for f in self.fields}
        for rule in _rules(filters):
            field = by_name.get(rule.field)
            if isinstance(field, ReferenceField) and rule.value is not None:
                target = (field.extra or {}).get("target")
                if target:
                    yield target, str(rule.value)

    async def _labelled(
        self, request: Request, items: Sequence[Any], filters: FilterGroup | None = None
    ) -> None:
        """Label the rows shown and every row they (and the filters) point to: one query
        per table pointed to."""
        if request.state.action not in (RequestAction.LIST, RequestAction.DETAIL):
            return
        wanted: list[tuple[str, str]] = list(self._filtered_references(filters))
        for item in items:
            labels.remember(request, self, item)
            wanted.extend(self.references_of(item))
        await labels.resolve(request, self.db(request), self.studio.views, wanted)

    def row_label(self, obj: Any, request: Request | None = None) -> str:
        """The row's label; a row with no name of its own reads as the first two rows its
        list points to (a compliance record as its requirement and its holder), once the
        page's references are resolved."""
        own = labels.label_of(self.spec, obj)
        if self.spec.row_label is not None or request is None or own != str(obj.id):
            return own
        by_name = {f.name: f for f in self.fields}
        parts: list[str] = []
        for name in self.spec.list_columns or ():
            field = by_name.get(name)
            reference = field.reference(obj) if isinstance(field, ReferenceField) else None
            shown = labels.studio_label(request, *reference) if reference else None
            if shown:
                parts.append(shown)
            if len(parts) == 2:
                break
        return " · ".join(parts) or own

    def _active_filter_chips(
        self, request: Request, list_params: ListParams
    ) -> tuple[str, list[FilterChip]]:
        """The filter pills, with the rows they name by label rather than by id."""
        logic, chips = super()._active_filter_chips(request, list_params)
        by_id = {entity_id: label for (_key, entity_id), label in labels.known(request).items()}
        named: list[FilterChip] = []
        for chip in chips:
            text = chip.label
            for entity_id, label in by_id.items():
                if entity_id in text and label != entity_id:
                    text = text.replace(entity_id, label)
            named.append(dataclasses.replace(chip, label=text))
        return logic, named

    def get_fields_list(
        self,
        request: Request,
        *,
        include_nested: bool = False,
        action: RequestAction | None = None,
    ) -> Sequence[BaseField]:
        """A list shows the columns its domain chose first, in the order it chose them."""
        fields = super().get_fields_list(request, include_nested=include_nested, action=action)
        chosen = self.spec.list_columns
        if chosen is None or (action or request.state.action) != RequestAction.LIST:
            return fields
        place = {name: n for n, name in enumerate(chosen)}
        return sorted(fields, key=lambda f: place.get(f.name, len(place)))

    def _parse_list_params(
        self, request: Request, query_params: QueryParams | None = None
    ) -> ListParams:
        """The columns the entity's domain chose for its list, unless the page asks for
        others (the Columns menu)."""
        params = super()._parse_list_params(request, query_params)
        asked = (query_params or request.query_params).get("cols")
        if params.visible_cols is None and not asked and self.spec.list_columns is not None:
            shown = {f.name for f in self.get_fields_list(request)}
            columns = [name for name in self.spec.list_columns if name in shown]
            if columns:
                return dataclasses.replace(params, visible_cols=columns)
        return params

    async def count(
        self, request: Request, q: str | None = None, filters: FilterGroup | None = None
    ) -> int:
        query = self._query(filters)
        if query.impossible:
            return 0
        with self._errors(request, Surface.PAGE):
            found = await self._searched(request, q, query, any_order=True)
            if found is not None:
                return len(found)
            known = _cache(request).get(("total", self.key, repr(query)))
            if known is not None:
                return int(known)
            total, capped = await listing.count(self._fetch(self.db(request), query, None, None))
        if capped:
            notify(
                request,
                f"More than {total:,} rows match: only the first {total:,} are listed. "
                "Filter to see the others.",
                "warning",
            )
        return total

    async def find_by_pk(self, request: Request, pk: Any) -> Any:
        try:
            with self._errors(request, Surface.PAGE):
                found = await self.db(request).get(self.spec, pk, include_deleted=True)
        except HTTPException as error:
            if error.status_code == NotFoundError.status:
                return None
            raise
        if request.state.action == RequestAction.DETAIL:
            await self._labelled(request, [found])
            request.state.studio_related = await self.studio.related(request, self, found)
            request.state.studio_title = self.row_label(found, request)
        return found

    async def find_by_pks(self, request: Request, pks: list[Any]) -> Sequence[Any]:
        found = [await self.find_by_pk(request, pk) for pk in pks]
        return [item for item in found if item is not None]

    async def get_serialized_pk_value(self, request: Request, obj: Any) -> Any:
        return str(obj.id)

    async def repr(self, obj: Any, request: Request) -> str:
        return labels.label_of(self.spec, obj)

    # --- writing ------------------------------------------------------------------------------
    def _input(self, data: Mapping[str, Any], *, current: Any = None) -> dict[str, Any]:
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
            if value == "" and accepts_none(schema, name):
                value = None
            if current is not None:
                if comparable(value) == comparable(getattr(current, name, None)):
                    continue
                if value is None and not column_nullable(self.spec, name):
                    errors[name] = "is required"
                    continue
            elif value is None:
                continue
            payload[name] = value
        if errors:
            raise FormValidationError(errors)
        return payload

    async def create(self, request: Request, data: dict[str, Any]) -> Any:
        payload = self._input(data)
        with self._errors(request, Surface.FORM):
            return await self.db(request).create(self.spec, payload)

    async def edit(self, request: Request, pk: Any, data: dict[str, Any]) -> Any:
        form = await request.form()
        submitted = form.get("_version")
        version = int(submitted) if isinstance(submitted, str) and submitted.isdigit() else None
        request.state.studio_version = version
        current = await self.find_by_pk(request, pk)
        if current is None:
            raise HTTPException(404, f"no {self.display_name} with id {pk}")
        if version is None and self.spec.versioned:
            # Without the version the form was shown at, a save could overwrite a change it
            # never showed: the studio refuses rather than guess.
            request.state.studio_version = getattr(current, "version", None)
            flash(
                request,
                f"This form did not say which version of the {self.display_name} it showed, "
                "so nothing was saved: check the values below and save again.",
                "error",
            )
            raise FormValidationError({})
        if getattr(current, "deleted_at", None) is not None:
            flash(request, f"This {self.display_name} is deleted: restore it first.", "error")
            raise FormValidationError({})
        payload = self._input(data, current=current)
        if not payload:
            return current
        with self._errors(request, Surface.FORM):
            try:
                return await self.db(request).update(
                    self.spec, pk, payload, expected_version=version
                )
            except ConflictError:
                fresh = await self.find_by_pk(request, pk)
                request.state.studio_version = getattr(fresh, "version", None)
                raise ConflictError(
                    f"This {self.display_name} was changed by someone else since you opened "
                    "it, so nothing was saved. Your values are still in the form and the "
                    "stored ones are on its detail page: save again to replace them with yours."
                ) from None

    async def _each(
        self,
        request: Request,
        pks: Sequence[Any],
        run: Callable[[DatabaseService, Any], Any],
        verb: str,
    ) -> int:
        done = 0
        db = self.db(request)
        for pk in pks:
            try:
                with self._errors(request, Surface.ACTION):
                    await run(db, pk)
            except ActionFailed as failed:
                prefix = f"{verb} {done} of {len(pks)}; then " if done else ""
                raise ActionFailed(f"{prefix}{self.display_name} {pk}: {failed.msg}") from None
            done += 1
        return done

    async def delete(self, request: Request, pks: list[Any]) -> int | None:
        return await self._each(request, pks, lambda db, pk: db.delete(self.spec, pk), "deleted")

    async def _restore(self, request: Request, pks: Sequence[Any]) -> int:
        return await self._each(request, pks, lambda db, pk: db.restore(self.spec, pk), "restored")

    @row_action(
        name="restore",
        text="Restore",
        confirmation="Restore this row?",
        icon_class="fa fa-rotate-left",
        submit_btn_text="Yes, restore",
    )
    async def restore_row(self, request: Request, pk: Any) -> None:
        await self._restore(request, [pk])
        flash(request, f"The {self.display_name} {pk} was restored.", "success")

    @action(
        name="restore",
        text="Restore",
        confirmation="Restore the selected rows?",
        submit_btn_text="Yes, restore",
    )
    async def restore_rows(self, request: Request, selection: ActionSelection) -> None:
        restored = await self._restore(request, await selection.pks())
        flash(request, f"{restored} row(s) restored.", "success")

    async def perform(
        self,
        request: Request,
        pk: Any,
        declared: Action[Any, Any],
        data: Mapping[str, Any],
        version: int | None,
    ) -> None:
        """Run a named operation on a row, based on the version of the row shown."""
        with self._errors(request, Surface.ACTION):
            await self.db(request).perform(
                self.spec, declared.run, pk, {**data, "version": version}
            )

    # --- pages --------------------------------------------------------------------------------
    def page_notes(self, request: Request) -> list[tuple[str, Markup]]:
        """Alerts shown above the list: (level, HTML)."""
        return [(level, escape(text)) for level, text in notes_of(request)]

    def detail_panel(self, request: Request, obj: Any) -> Markup | None:
        """What a view shows on a row's page below its fields, beyond them (None: nothing)."""
        return None

    def related_links(self, request: Request, obj: Any) -> list[Related]:
        """Lists of other tables' rows that point at `obj`, with how many there are (and its
        audit trail), as found when the detail page was read."""
        found: list[Related] = getattr(request.state, "studio_related", None) or []
        return found


def filter_link(base: str, rules: Mapping[str, Any]) -> str:
    """A list URL filtered by `field == value` for each rule (all must hold)."""
    expression = " AND ".join(f"{name}__eq={_quoted(str(value))}" for name, value in rules.items())
    return f"{base}?{urlencode({'filter': expression})}"


def _quoted(value: str) -> str:
    if any(c in value for c in ' ()\t\n",') or ".." in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


__all__ = ["EntityView", "Surface", "filter_link", "notify"]
