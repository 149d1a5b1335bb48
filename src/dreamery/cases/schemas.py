"""Case and participant schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict

from dreamery.core.schemas import (
    InputSchema,
    JsonObject,
    UpdateSchema,
    VersionedRead,
    VersionInput,
    pattern_explained,
)
from dreamery.models.enums import CaseKind, CaseRole, CaseStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
    pattern_explained("a two-letter code, e.g. CA"),
]

CaseSort = Literal["created_at", "title"]
ParticipantSort = Literal["created_at"]


class CaseFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    kind: CaseKind
    status: CaseStatus
    reference: str
    created_by: uuid.UUID


class ParticipantFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    user_id: uuid.UUID
    case_role: CaseRole


class CaseFields(InputSchema):
    reference: Short | None = Field(default=None, description="the organization's file number")
    address_line1: Line | None = None
    address_line2: Line | None = None
    city: Short | None = None
    region: Short | None = None
    postal_code: PostalCode | None = None
    country: Country | None = None
    parcel_number: Code | None = None
    mls_number: Code | None = None
    details: JsonObject = Field(default_factory=dict)


class CaseCreate(CaseFields):
    """A new case of the creator's organization; the creator takes part in it as
    `case_role`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "12 Harbor Street purchase",
                    "kind": "purchase",
                    "case_role": "buyers_agent",
                    "reference": "HR-2027-0012",
                    "address_line1": "12 Harbor Street",
                    "city": "Portland",
                    "region": "ME",
                    "postal_code": "04101",
                    "country": "US",
                }
            ]
        }
    )

    title: Title
    kind: CaseKind
    case_role: CaseRole = CaseRole.OTHER


class CaseUpdate(UpdateSchema):
    title: Title | None = None
    kind: CaseKind | None = None
    reference: Short | None = None
    address_line1: Line | None = None
    address_line2: Line | None = None
    city: Short | None = None
    region: Short | None = None
    postal_code: PostalCode | None = None
    country: Country | None = None
    parcel_number: Code | None = None
    mls_number: Code | None = None
    details: JsonObject | None = None


class CaseStatusChange(VersionInput):
    """Where the case goes: open, on hold, closed or cancelled (and reopened)."""

    status: CaseStatus


class CaseRead(VersionedRead):
    organization_id: uuid.UUID
    title: str
    kind: CaseKind
    status: CaseStatus
    reference: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    parcel_number: str | None
    mls_number: str | None
    details: dict[str, object]
    created_by: uuid.UUID | None
    deleted_at: datetime | None


class ParticipantCreate(InputSchema):
    """Someone, from any organization, taking part in the case as `case_role`."""

    case_id: uuid.UUID
    user_id: uuid.UUID
    case_role: CaseRole


class ParticipantUpdate(UpdateSchema):
    case_role: CaseRole | None = None


class ParticipantRead(VersionedRead):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    user_id: uuid.UUID
    case_role: CaseRole
    added_by: uuid.UUID | None
