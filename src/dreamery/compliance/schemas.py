"""Compliance requirement, record and evidence schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator
from typing_extensions import TypedDict

from dreamery.core.ids import catalog_id
from dreamery.core.schemas import (
    AwareDatetime,
    Description,
    InputSchema,
    Name,
    Slug,
    UpdateSchema,
    VersionedRead,
    VersionInput,
    pattern_explained,
)
from dreamery.models.enums import ComplianceCategory, ComplianceStatus, Frequency

RequirementSort = Literal["created_at", "name"]
RecordSort = Literal["created_at", "expires_at"]
EvidenceSort = Literal["created_at", "uploaded_at"]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# Who uploaded a file, and when, is recorded by the hub, not claimed by the uploader.
UPLOAD_STAMP = {
    "uploaded_by": "is recorded by the hub (who uploaded the file), not given",
    "uploaded_at": "is recorded by the hub (when the file was uploaded), not given",
}


# The starter requirement the documented example answers (its id is the catalogue's).
EXAMPLE_REQUIREMENT = "license-requirement"


class ComplianceRequirementFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    role_id: str
    category: ComplianceCategory
    frequency: Frequency
    is_active: bool
    slug: str


class ComplianceRecordFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    requirement_id: uuid.UUID
    user_id: uuid.UUID
    status: ComplianceStatus


class ComplianceEvidenceFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    record_id: uuid.UUID
    content_type: str


MimeType = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]+/[a-z0-9.+-]+$", min_length=3, max_length=100),
    pattern_explained("a media type in lower case, e.g. application/pdf"),
]
# A URL (https://…, s3://…) or a stored-file reference (file:evidence/abc.pdf).
Location = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^[a-z][a-z0-9+.-]*:\S+$", min_length=3, max_length=2048
    ),
    pattern_explained("a URL or file reference with a scheme, e.g. https://… or file:…"),
]


class ComplianceCheck(InputSchema):
    name: Name
    type: Literal["manual", "document", "automatic"]
    description: Description | None = None
    evidence_types: list[MimeType] = Field(default_factory=list)


class ComplianceRequirementCreate(InputSchema):
    name: Name
    description: Description | None = None
    role_id: Slug
    category: ComplianceCategory
    requirements: list[ComplianceCheck] = Field(default_factory=list, max_length=50)
    frequency: Frequency
    is_active: bool = True
    slug: Slug | None = None


class ComplianceRequirementUpdate(UpdateSchema):
    name: Name | None = None
    description: Description | None = None
    role_id: Slug | None = None
    category: ComplianceCategory | None = None
    requirements: list[ComplianceCheck] | None = None
    frequency: Frequency | None = None
    is_active: bool | None = None


class ComplianceRequirementRead(VersionedRead):
    organization_id: uuid.UUID | None
    slug: str | None
    name: str
    description: str | None
    role_id: str
    category: ComplianceCategory
    requirements: list[dict[str, Any]]
    frequency: Frequency
    is_active: bool


class ComplianceEvidenceFields(InputSchema):
    reserved_fields = UPLOAD_STAMP

    file_name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    location: Location
    content_type: MimeType
    size: int = Field(ge=0, description="bytes")
    checksum: (
        Annotated[
            str,
            StringConstraints(pattern=r"^[A-Za-z0-9:+/=-]{8,128}$"),
            pattern_explained("a checksum: 8 to 128 letters, digits and : + / = -"),
        ]
        | None
    ) = None

    @field_validator("file_name")
    @classmethod
    def _plain_file_name(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in {".", ".."}:
            raise ValueError("a file name, not a path")
        return value


class ComplianceEvidenceCreate(ComplianceEvidenceFields):
    record_id: uuid.UUID


class ComplianceEvidenceUpdate(UpdateSchema):
    reserved_fields = UPLOAD_STAMP

    file_name: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    location: Location | None = None
    content_type: MimeType | None = None
    size: int | None = Field(default=None, ge=0)
    checksum: str | None = Field(default=None, max_length=128)


class ComplianceEvidenceRead(VersionedRead):
    organization_id: uuid.UUID
    record_id: uuid.UUID
    file_name: str
    location: str
    content_type: str
    size: int
    checksum: str | None
    uploaded_at: datetime
    uploaded_by: uuid.UUID | None


class ComplianceRecordCreate(InputSchema):
    """A professional's record of a requirement, with its evidence; it waits for review
    (`verify_compliance_record` or `fail_compliance_record`) as pending.

    The example answers the catalogue's license requirement of the Acquisition Specialist
    role."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "requirement_id": str(
                        catalog_id("compliance-requirement", EXAMPLE_REQUIREMENT)
                    ),
                    "expires_at": "2028-06-30T00:00:00Z",
                    "notes": "License renewed in June; the state's confirmation is attached.",
                    "evidence": [
                        {
                            "file_name": "license-2026.pdf",
                            "location": "file:evidence/license-2026.pdf",
                            "content_type": "application/pdf",
                            "size": 48213,
                        }
                    ],
                }
            ]
        }
    )

    requirement_id: uuid.UUID
    user_id: uuid.UUID | None = Field(
        default=None, description="the professional the record is of; default: you"
    )
    expires_at: AwareDatetime | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None
    evidence: list[ComplianceEvidenceFields] = Field(default_factory=list, max_length=50)


class ComplianceRecordUpdate(UpdateSchema):
    """A record's own fields, while it is pending or failed; a verified record is frozen."""

    expires_at: AwareDatetime | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ComplianceVerification(VersionInput):
    """The reviewer has checked the evidence: the record is verified, until `expires_at`
    when given (it replaces the one the record carried)."""

    note: Note | None = None
    expires_at: AwareDatetime | None = None


class ComplianceFailure(VersionInput):
    """The evidence does not satisfy the requirement: say what is missing or wrong."""

    note: Note


class ComplianceResubmission(VersionInput):
    """The owner has corrected a failed record: it goes back to review."""


class ComplianceRecordRead(VersionedRead):
    organization_id: uuid.UUID
    requirement_id: uuid.UUID
    user_id: uuid.UUID
    status: ComplianceStatus
    verified_at: datetime | None
    verified_by: uuid.UUID | None
    expires_at: datetime | None
    notes: str | None
    reviewed_by: uuid.UUID | None
    reviewed_at: datetime | None
    review_note: str | None
    deleted_at: datetime | None
