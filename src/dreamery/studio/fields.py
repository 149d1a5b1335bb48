"""The studio's form and display fields, built from an entity's Pydantic schemas.

Each column of a Read schema becomes one starlette-admin field of the matching kind: text,
number, yes/no, choice, date-time, tags, JSON, or a reference that links to the row it points
at. Input the browser sends is parsed without guessing: what cannot be parsed becomes an
`Invalid` marker that the view reports next to the field, and the service layer decides
everything else (so its messages are the ones the form shows).
"""

from __future__ import annotations

import enum
import json
import types
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy import Text
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette_admin import (
    BaseField,
    BooleanField,
    DateTimeField,
    EnumField,
    FloatField,
    IntegerField,
    JSONField,
    StringField,
    TagsField,
    TextAreaField,
)
from starlette_admin.filters import (
    BaseFilter,
    FilterApplyContext,
    FilterDataType,
    FilterValidationError,
)
from starlette_admin.i18n import get_tzinfo, is_timezone_conversion_enabled
from starlette_admin.types import RequestAction

from dreamery.core.entities import EntitySpec

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S %Z"
LIST_DATETIME_FORMAT = "%Y-%m-%d %H:%M %Z"
LONG_TEXT = 500  # strings allowed to be this long get a text area
LIST_HIDDEN = frozenset({"updated_at", "version"})


@dataclass(frozen=True)
class Invalid:
    """Form input that could not be read as the field's type."""

    message: str


# --- the query a list page asks the facade for ------------------------------------------


@dataclass(frozen=True)
class Query:
    """Facade keyword filters (all must hold), whether deleted rows are included, and
    whether the filters contradict each other (then nothing matches)."""

    filters: Mapping[str, Any]
    include_deleted: bool = False
    impossible: bool = False

    def equal(self, name: str, value: Any) -> Query:
        if name in self.filters and self.filters[name] != value:
            return Query(self.filters, self.include_deleted, impossible=True)
        return Query({**self.filters, name: value}, self.include_deleted, self.impossible)

    def with_deleted(self) -> Query:
        return Query(self.filters, True, self.impossible)


def _query(ctx: FilterApplyContext) -> Query:
    query = ctx.query
    assert isinstance(query, Query)
    return query


class _Equals(BaseFilter):
    """`<field> is <value>`, sent to the facade as the keyword `target`."""

    name = "eq"
    label = "is"
    data_type = FilterDataType.STRING
    target = ""
    parse: Callable[[str], Any] = staticmethod(str)
    expects = "a value"

    def parse_value(self, raw: Any) -> Any:
        text = str(raw[0] if isinstance(raw, list) and raw else raw).strip()
        try:
            return type(self).parse(text)
        except ValueError:
            raise FilterValidationError(f"{text!r} is not {self.expects}") from None

    def apply(self, ctx: FilterApplyContext) -> Any:
        return _query(ctx).equal(self.target or ctx.field_name, ctx.value)


def equals_filter(
    target: str, parse: Callable[[str], Any] = str, expects: str = "a value"
) -> type[BaseFilter]:
    """An equality filter on one facade keyword, parsing the typed value with `parse`."""
    return type(
        f"Equals_{target}",
        (_Equals,),
        {"target": target, "parse": staticmethod(parse), "expects": expects},
    )


class _Flag(BaseFilter):
    data_type = FilterDataType.NONE
    flag = True

    def apply(self, ctx: FilterApplyContext) -> Any:
        return _query(ctx).equal(ctx.field_name, self.flag)


class IsTrue(_Flag):
    name = "is_true"
    label = "is yes"


class IsFalse(_Flag):
    name = "is_false"
    label = "is no"
    flag = False


class IncludeDeleted(BaseFilter):
    """Show deleted rows too (they can be restored from their row actions)."""

    name = "any"
    label = "include deleted rows"
    data_type = FilterDataType.NONE

    def apply(self, ctx: FilterApplyContext) -> Any:
        return _query(ctx).with_deleted()


def aware_datetime(text: str) -> datetime:
    """An ISO date-time; without a zone it is the studio user's time zone."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        zone = get_tzinfo() if is_timezone_conversion_enabled() else UTC
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


class Since(BaseFilter):
    """`<time> on or after <value>`, sent to the facade as `since`."""

    name = "gte"
    label = "on or after"
    data_type = FilterDataType.DATETIME

    def parse_value(self, raw: Any) -> Any:
        try:
            return aware_datetime(str(raw).strip())
        except ValueError:
            raise FilterValidationError(f"{raw!r} is not a date and time") from None

    def apply(self, ctx: FilterApplyContext) -> Any:
        return _query(ctx).equal("since", ctx.value)


# --- fields ---------------------------------------------------------------------------------


@dataclass
class StudioStringField(StringField):
    async def parse_form_data(self, request: Request, form_data: FormData) -> Any:
        raw = form_data.get(self.id)
        return raw if isinstance(raw, str) else None


@dataclass
class StudioTextAreaField(TextAreaField):
    async def parse_form_data(self, request: Request, form_data: FormData) -> Any:
        raw = form_data.get(self.id)
        return raw if isinstance(raw, str) else None


@dataclass
class ReferenceField(StudioStringField):
    """The id of a row in another table, shown as a link to that row, by its label.

    `extra["target"]` is the key of the view of that table; with `extra["loose"]` a value
    that is no row of it (the audit trail's actor `system`) is shown as plain text."""

    list_template: str = "studio/fields/reference_list.html"
    detail_template: str = "studio/fields/reference_detail.html"

    def reference(self, obj: Any) -> tuple[str, str] | None:
        """(view key, id) of the row `obj` points to through this field, if any."""
        value = getattr(obj, self.name, None)
        target = (self.extra or {}).get("target")
        return (target, str(value)) if value is not None and target else None


@dataclass
class RecordField(StudioStringField):
    """An audit row's `resource_id`: a link to the row of whatever table `resource` names."""

    list_template: str = "studio/fields/record_list.html"
    detail_template: str = "studio/fields/record_detail.html"

    def reference(self, obj: Any) -> tuple[str, str] | None:
        value = getattr(obj, self.name, None)
        target = (self.extra or {}).get("targets", {}).get(getattr(obj, "resource", None))
        return (target, str(value)) if value is not None and target else None


@dataclass
class StudioIntegerField(IntegerField):
    async def parse_form_data(self, request: Request, form_data: FormData) -> Any:
        raw = form_data.get(self.id)
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            return int(raw.strip())
        except ValueError:
            return Invalid("must be a whole number")


@dataclass
class StudioFloatField(FloatField):
    async def parse_form_data(self, request: Request, form_data: FormData) -> Any:
        raw = form_data.get(self.id)
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            return float(raw.strip())
        except ValueError:
            return Invalid("must be a number")


@dataclass
class StudioDateTimeField(DateTimeField):
    """Date-times as the service wants them: time-zone aware, in UTC."""

    output_format: str | None = DATETIME_FORMAT
    # Lists show date-times to the minute, so that their columns fit; None: as in detail.
    list_format: str | None = LIST_DATETIME_FORMAT

    async def serialize_value(self, request: Request, value: Any) -> Any:
        if (
            self.list_format is not None
            and request.state.action == RequestAction.LIST
            and isinstance(value, datetime)
        ):
            zone = get_tzinfo() if is_timezone_conversion_enabled() else UTC
            shown = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            return shown.astimezone(zone).strftime(self.list_format)
        return await super().serialize_value(request, value)

    async def parse_form_data(self, request: Request, form_data: FormData) -> Any:
        raw = form_data.get(self.id)
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            return aware_datetime(raw.strip())
        except ValueError:
            return Invalid("must be a date and time (e.g. 2026-01-31T09:00)")


@dataclass
class StudioJSONField(JSONField):
    """JSON documents; exported as JSON text rather than a Python repr."""

    async def parse_form_data(self, request: Request, form_data: FormData) -> Any:
        raw = form_data.get(self.id)
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            return Invalid(f"is not valid JSON: {error.msg} (line {error.lineno})")

    async def serialize_value(self, request: Request, value: Any) -> Any:
        if request.state.action == RequestAction.EXPORT:
            return json.dumps(value, default=str, ensure_ascii=False)
        return value


@dataclass
class ChangesField(BaseField):
    """An audit row's changes: `field: old → new` per changed field."""

    list_template: str = "studio/fields/changes.html"
    detail_template: str = "studio/fields/changes.html"

    async def serialize_value(self, request: Request, value: Any) -> Any:
        if request.state.action == RequestAction.EXPORT:
            return json.dumps(value, default=str, ensure_ascii=False)
        if not isinstance(value, Mapping):
            return [{"field": "", "value": _shown(value)}]
        lines: list[dict[str, str]] = []
        for name, change in value.items():
            if isinstance(change, list) and len(change) == 2:
                lines.append(
                    {"field": str(name), "old": _shown(change[0]), "new": _shown(change[1])}
                )
            else:
                lines.append({"field": str(name), "value": _shown(change)})
        return lines


def _shown(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


# --- building the fields of an entity -------------------------------------------------------


def unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `| None`, and whether None was allowed."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
        return Any, True
    return annotation, False


def _is_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum)


def _enum_member(kind: type[enum.Enum]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        return kind(text)

    return parse


def _is_long_text(spec: EntitySpec[Any, Any], name: str) -> bool:
    """Descriptions, notes and messages: `Text` columns and strings of 500 up to 1,000
    characters (longer ones hold URLs and storage paths, which stay on one line)."""
    columns = spec.model.__table__.columns
    if name not in columns:
        return False
    column_type = columns[name].type
    length = getattr(column_type, "length", None) or 0
    return isinstance(column_type, Text) or LONG_TEXT <= length < 1_000


def _input_field(schema: type[BaseModel] | None, key: str) -> Any:
    """The field of an input schema that takes `key` (its name, or its alias)."""
    if schema is None:
        return None
    for name, info in schema.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def input_keys(schema: type[BaseModel] | None) -> set[str]:
    """The keys an input schema takes: each field's alias, or its name."""
    if schema is None:
        return set()
    return {info.alias or name for name, info in schema.model_fields.items()}


def accepts_none(schema: type[BaseModel] | None, key: str) -> bool:
    field = _input_field(schema, key)
    return field is None or unwrap(field.annotation)[1]


def column_nullable(spec: EntitySpec[Any, Any], name: str) -> bool:
    columns = spec.model.__table__.columns
    return name not in columns or bool(columns[name].nullable)


@dataclass(frozen=True)
class FieldPlan:
    """What the studio may do with an entity's fields."""

    creatable: frozenset[str]  # Read-schema names the create form shows
    editable: frozenset[str]  # Read-schema names the edit form shows
    references: Mapping[str, str]  # column -> key of the view of the table it points to
    filters: Mapping[str, str]  # Read-schema name -> facade keyword it filters on


def _filters_for(
    name: str, kind: Any, facade_keyword: str | None, *, soft_deletes: bool
) -> list[type[BaseFilter]] | None:
    if name == "deleted_at" and soft_deletes:
        return [IncludeDeleted]
    if facade_keyword is None:
        return None
    if kind is bool:
        return [IsTrue, IsFalse]
    if _is_enum(kind):
        return [equals_filter(facade_keyword, _enum_member(kind), "one of the choices")]
    if kind is uuid.UUID:
        return [equals_filter(facade_keyword, uuid.UUID, "an id (a UUID)")]
    if kind is int:
        return [equals_filter(facade_keyword, int, "a whole number")]
    return [equals_filter(facade_keyword, str)]


def build_fields(spec: EntitySpec[Any, Any], plan: FieldPlan) -> list[BaseField]:
    """One field per column of the entity's Read schema, in the schema's order."""
    fields: list[BaseField] = []
    for name, info in spec.read_schema.model_fields.items():
        kind, _ = unwrap(info.annotation)
        options: dict[str, Any] = {
            "exclude_from_create": name not in plan.creatable,
            "exclude_from_edit": name not in plan.editable,
            "filters": _filters_for(
                name, kind, plan.filters.get(name), soft_deletes=spec.soft_deletes
            ),
        }
        default = _create_default(spec, name)
        if default is not None:
            options["default"] = default
        hidden = name in LIST_HIDDEN if spec.list_columns is None else False
        field: BaseField
        if name in plan.references:
            field = ReferenceField(
                name,
                label=reference_label(name),
                extra={"target": plan.references[name]},
                **options,
            )
        elif kind is bool:
            field = BooleanField(name, **options)
        elif _is_enum(kind):
            field = EnumField(name, enum=kind, **options)
        elif kind is int:
            field = StudioIntegerField(name, **options)
        elif kind is float:
            field = StudioFloatField(name, **options)
        elif kind is datetime:
            field = StudioDateTimeField(name, **options)
        elif get_origin(kind) is list and get_args(kind) == (str,):
            field = TagsField(name, **options)
        elif kind in (str, uuid.UUID) or _is_str_like(kind):
            if kind is str and _is_long_text(spec, name):
                field = StudioTextAreaField(name, **options)
                hidden = spec.list_columns is None
            else:
                field = StudioStringField(name, **options)
        else:
            field = StudioJSONField(name, **options)
            hidden = spec.list_columns is None
        field.exclude_from_list = hidden
        fields.append(field)
    return fields


def reference_label(name: str) -> str:
    """`role_id` reads as "Role": the column shows the row, not its id."""
    return name.removesuffix("_id").replace("_", " ").capitalize()


def _create_default(spec: EntitySpec[Any, Any], name: str) -> Any:
    """What the create schema fills in when the input leaves `name` out: the create form
    starts from it (a new user is active unless unticked)."""
    info = _input_field(spec.create_schema, name)
    if info is None or info.is_required():
        return None
    value = info.get_default(call_default_factory=True)
    return value if isinstance(value, bool | int | float | str | enum.Enum) else None


def _is_str_like(kind: Any) -> bool:
    """Pydantic string types (EmailStr, HttpUrl, ...) that read back as text."""
    return isinstance(kind, type) and kind.__module__.startswith("pydantic")


def searchable_text(value: Any) -> str:
    """A value as the text the studio's search looks into."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return " ".join(searchable_text(v) for v in value)
    return str(value)


def comparable(value: Any) -> Any:
    """A value as the edit form compares it with the stored one: plain JSON-like data,
    date-times to the second (the form does not carry microseconds)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0)
    if isinstance(value, list | tuple):
        return [comparable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): comparable(v) for k, v in value.items()}
    return value


__all__ = [
    "ChangesField",
    "FieldPlan",
    "IncludeDeleted",
    "Invalid",
    "Query",
    "RecordField",
    "ReferenceField",
    "Since",
    "StudioDateTimeField",
    "StudioStringField",
    "accepts_none",
    "build_fields",
    "column_nullable",
    "comparable",
    "equals_filter",
    "input_keys",
    "searchable_text",
    "unwrap",
]
