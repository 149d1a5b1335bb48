"""Shared building blocks of the Pydantic schemas: strict inputs, ORM-readable outputs."""

from __future__ import annotations

import json
import re
import types
import typing
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from dreamery.core.emails import normalize_email

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must include a time zone (e.g. 2026-01-31T09:00:00Z)")
    return value


_NUMBER = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")


def _iso_text(value: Any) -> Any:
    """Refuse numbers where a date-time is expected: 0 is not 1970-01-01 to a person."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value)
    ):
        raise ValueError("must be an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z")
    return value


def pattern_explained(meaning: str) -> WrapValidator:
    """What a patterned string means, for its error: a value that does not match reads
    "must be <meaning>" (e.g. "must be a phone number: ..."), never the regular expression,
    on every surface. Put it after the `StringConstraints` that hold the pattern:

        Phone = Annotated[str, StringConstraints(pattern=...), pattern_explained("a phone ...")]
    """

    def explain(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as error:
            if any(problem["type"] == "string_pattern_mismatch" for problem in error.errors()):
                raise PydanticCustomError(
                    "string_pattern_mismatch", "must be {meaning}", {"meaning": meaning}
                ) from None
            raise

    return WrapValidator(explain)


SLUG_MEANING = "a slug: lower-case letters and digits, in words joined by single hyphens"
Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=100),
    pattern_explained(SLUG_MEANING),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
AwareDatetime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_aware)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
NonNegativeInt = Annotated[int, Field(ge=0)]
EmailAddress = Annotated[
    str,
    StringConstraints(max_length=320),  # email-validator then holds it to 254
    AfterValidator(normalize_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]
"""An e-mail address, folded to the one spelling the hub stores (see `core.emails`)."""


_SCALARS = (bool, int, float)
INT32_MAX = 2**31 - 1


def _required_type(annotation: Any) -> Any:
    """`int` for `int` and for `int | None`; the annotation itself otherwise."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


MAX_JSON_DEPTH = 32
MAX_JSON_BYTES = 64 * 1024


Loc = tuple[str | int, ...]


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain NUL (\\u0000) characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (an unpaired surrogate)"
    return None


def unstorable(value: Any) -> list[tuple[Loc, str]]:
    """Everywhere in `value` that holds text a database would refuse, or nesting deeper
    than `MAX_JSON_DEPTH`, and why, in the input's order. Walks with a stack of its own, so
    no input can exhaust Python's."""
    found: list[tuple[Loc, str]] = []
    stack: list[tuple[Any, Loc]] = [(value, ())]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                found.append((where, problem))
            continue
        if not isinstance(item, dict | list | tuple):
            continue
        if len(where) >= MAX_JSON_DEPTH:
            found.append((where, f"is nested deeper than {MAX_JSON_DEPTH} levels"))
            continue
        children: list[tuple[Any, Loc]] = []
        if isinstance(item, dict):
            for key, child in item.items():
                problem = _text_problem(key) if isinstance(key, str) else None
                if problem:
                    found.append((where, f"has a key that {problem}"))
                else:
                    children.append((child, (*where, str(key))))
        else:
            children = [(child, (*where, index)) for index, child in enumerate(item)]
        stack.extend(reversed(children))
    return found


def _bounded_json(value: Any) -> Any:
    """Free-form JSON a row can afford: at most `MAX_JSON_BYTES` once encoded."""
    if value is None:
        return value
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_JSON_BYTES:
        raise ValueError(f"is {size:,} bytes of JSON; at most {MAX_JSON_BYTES:,} are kept")
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded_json)]
"""A free-form JSON object in client input: nested at most `MAX_JSON_DEPTH` levels (as any
input is, see `InputSchema`) and at most `MAX_JSON_BYTES` encoded."""
JsonList = Annotated[list[dict[str, Any]], AfterValidator(_bounded_json)]


def _error_details(error: ValidationError) -> list[InitErrorDetails]:
    """The errors of `error`, as input for a new ValidationError that adds more: each kept
    with its type and its message as written (custom types such as a nested schema's
    `reserved_field` included, which pydantic-core could not rebuild by name)."""
    return [
        InitErrorDetails(
            type=PydanticCustomError(item["type"], item["msg"]),
            loc=item["loc"],
            input=item["input"],
        )
        for item in error.errors()
    ]


class InputSchema(BaseModel):
    """Client input: unknown fields are errors, not silently dropped.

    Booleans and numbers are strict: `0` is not `false`, `false` is not `0` and `"3"` is not
    3. A client that sends the wrong type hears so instead of having it guessed.

    A field that only a named operation may change (a task's status, a review's verdict) is
    not a field of a generic create or update schema. Sending it anyway is answered with what
    to use instead, alongside every other error of the input: `named_fields` (field -> the
    operations that change it) is filled in by the entity's spec as its domain registers
    them; `reserved_fields` (field -> why) is declared by the schema itself.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)
    named_fields: ClassVar[Mapping[str, str]] = {}
    reserved_fields: ClassVar[Mapping[str, str]] = {}

    @model_validator(mode="wrap")
    @classmethod
    def _not_a_named_field(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(data, Mapping) or not (cls.named_fields or cls.reserved_fields):
            return handler(data)
        owned = [name for name in data if name in cls.named_fields or name in cls.reserved_fields]
        if not owned:
            return handler(data)
        errors = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "named_operation",
                    "is changed by {operation}, not by a generic create or update",
                    {"operation": cls.named_fields[name]},
                )
                if name in cls.named_fields
                else PydanticCustomError("reserved_field", cls.reserved_fields[name]),
                loc=(name,),
                input=data[name],
            )
            for name in owned
        ]
        try:
            handler({name: value for name, value in data.items() if name not in owned})
        except ValidationError as others:
            errors += _error_details(others)
        raise ValidationError.from_exception_data(cls.__name__, errors)

    @model_validator(mode="wrap")
    @classmethod
    def _storable(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """Input a database can store, refused where it is not: no NUL characters, no
        unpaired surrogates, nothing nested deeper than `MAX_JSON_DEPTH` levels."""
        found = unstorable(data)
        if not found:
            return handler(data)
        errors = [
            InitErrorDetails(type=PydanticCustomError("unstorable", message), loc=loc, input=None)
            for loc, message in found
        ]
        raise ValidationError.from_exception_data(cls.__name__, errors)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        loose = [
            field
            for field in cls.model_fields.values()
            if _required_type(field.annotation) in _SCALARS
            and not any(isinstance(m, Strict) for m in field.metadata)
        ]
        for field in loose:
            field.metadata.append(Strict())
        # Integers are stored in 32-bit columns: refuse what would not fit, by name.
        unbounded = [
            field
            for field in cls.model_fields.values()
            if _required_type(field.annotation) is int
            and not any(
                isinstance(m, annotated_types.Le | annotated_types.Lt) for m in field.metadata
            )
        ]
        for field in unbounded:
            field.metadata.append(annotated_types.Le(INT32_MAX))
            if not any(
                isinstance(m, annotated_types.Ge | annotated_types.Gt) for m in field.metadata
            ):
                field.metadata.append(annotated_types.Ge(-INT32_MAX - 1))
        if loose or unbounded:
            cls.model_rebuild(force=True)


class UpdateSchema(InputSchema):
    """Partial update: every field optional; apply with `model_dump(exclude_unset=True)`.

    `version` is the row version the change was based on (optimistic locking).
    """

    version: int | None = Field(default=None, ge=1)


class VersionInput(InputSchema):
    """The input of a named operation on one row: `version` is the row version it was based
    on (optimistic locking), as in an update; `If-Match` gives it over HTTP."""

    version: int | None = Field(default=None, ge=1)


class PlaybookCopy(VersionInput):
    """Copy a playbook (a starter one, or another of one's organization's) into one's own
    organization, to adapt it; `name` defaults to the original's."""

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EntityRead(ReadSchema):
    id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class VersionedRead(EntityRead):
    version: int
