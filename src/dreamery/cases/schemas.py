"""Case and participant schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime
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

KeyDateName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$", min_length=1, max_length=50),
    pattern_explained("lower-case letters, digits and underscores, from a letter: closing"),
]

# The key dates the starter workflows count from, with how they read. A case may hold any
# other its organization names (same spelling: lower case, digits, underscores).
STANDARD_KEY_DATES: dict[str, str] = {
    "contract_acceptance": "Contract acceptance",
    "inspection_deadline": "Inspection contingency deadline",
    "appraisal_deadline": "Appraisal contingency deadline",
    "financing_contingency": "Financing contingency deadline",
    "closing": "Closing",
    "possession": "Possession",
    "listing_date": "Listing date",
    "loan_application": "Loan application",
    "rate_lock_expiration": "Rate lock expiration",
    "relinquished_closing": "Relinquished property closing",
    "lease_start": "Lease start",
    "move_in": "Move-in",
    "appointment": "Appointment",
    "engagement_start": "Engagement start",
    "project_start": "Project start",
    "substantial_completion": "Substantial completion",
    "delivery": "Delivery",
    "period_end": "Period end",
    "filing_deadline": "Filing deadline",
}

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
    start_default_workflow: bool = Field(
        default=True, description="start the default workflow of the case's kind, if it has one"
    )


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


class KeyDateFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    name: str


class KeyDateSet(VersionInput):
    """The day a key date of the case falls on (set or moved); `version` is the key date's,
    when it exists. Steps counted from it move with it."""

    falls_on: date
    label: Short | None = Field(
        default=None, description="how it reads; a standard key date has its own"
    )


class KeyDateRead(VersionedRead):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    name: str
    label: str | None
    falls_on: date
    set_by: uuid.UUID | None
