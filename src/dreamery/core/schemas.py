"""Shared building blocks of the Pydantic schemas: strict inputs, ORM-readable outputs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must include a time zone (e.g. 2026-01-31T09:00:00Z)")
    return value


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=100)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
NonNegativeInt = Annotated[int, Field(ge=0)]


class InputSchema(BaseModel):
    """Client input: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)


class UpdateSchema(InputSchema):
    """Partial update: every field optional; apply with `model_dump(exclude_unset=True)`.

    `version` is the row version the change was based on (optimistic locking).
    """

    version: int | None = Field(default=None, ge=1)


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EntityRead(ReadSchema):
    id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class VersionedRead(EntityRead):
    version: int
