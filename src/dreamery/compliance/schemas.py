"""Compliance requirement, record and evidence schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from dreamery.core.schemas import (
    AwareDatetime,
    Description,
    InputSchema,
    Name,
    Slug,
    UpdateSchema,
    VersionedRead,
)
from dreamery.models.enums import ComplianceCategory, ComplianceStatus, Frequency

MimeType = Annotated[
    str, StringConstraints(pattern=r"^[a-z]+/[a-z0-9.+-]+$", min_length=3, max_length=100)
]
# A URL (https://…, s3://…) or a stored-file reference (file:evidence/abc.pdf).
Location = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^[a-z][a-z0-9+.-]*:\S+$", min_length=3, max_length=2048
    ),
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
    slug: str | None
    name: str
    description: str | None
    role_id: str
    category: ComplianceCategory
    requirements: list[dict[str, Any]]
    frequency: Frequency
    is_active: bool


class ComplianceEvidenceFields(InputSchema):
    file_name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    location: Location
    content_type: MimeType
    size: int = Field(ge=0, description="bytes")
    checksum: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9:+/=-]{8,128}$")] | None = None
    uploaded_at: AwareDatetime | None = None
    uploaded_by: uuid.UUID | None = None

    @field_validator("file_name")
    @classmethod
    def _plain_file_name(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in {".", ".."}:
            raise ValueError("a file name, not a path")
        return value


class ComplianceEvidenceCreate(ComplianceEvidenceFields):
    record_id: uuid.UUID


class ComplianceEvidenceUpdate(UpdateSchema):
    file_name: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    location: Location | None = None
    content_type: MimeType | None = None
    size: int | None = Field(default=None, ge=0)
    checksum: str | None = Field(default=None, max_length=128)


class ComplianceEvidenceRead(VersionedRead):
    record_id: uuid.UUID
    file_name: str
    location: str
    content_type: str
    size: int
    checksum: str | None
    uploaded_at: datetime
    uploaded_by: uuid.UUID | None


class ComplianceRecordCreate(InputSchema):
    requirement_id: uuid.UUID
    user_id: uuid.UUID
    status: ComplianceStatus = ComplianceStatus.PENDING
    verified_at: AwareDatetime | None = None
    verified_by: uuid.UUID | None = None
    expires_at: AwareDatetime | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None
    evidence: list[ComplianceEvidenceFields] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _verified_consistently(self) -> ComplianceRecordCreate:
        if self.status is ComplianceStatus.VERIFIED and self.verified_at is None:
            raise ValueError("verified_at: a verified record needs the time of verification")
        return self


class ComplianceRecordUpdate(UpdateSchema):
    status: ComplianceStatus | None = None
    verified_at: AwareDatetime | None = None
    verified_by: uuid.UUID | None = None
    expires_at: AwareDatetime | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ComplianceRecordRead(VersionedRead):
    requirement_id: uuid.UUID
    user_id: uuid.UUID
    status: ComplianceStatus
    verified_at: datetime | None
    verified_by: uuid.UUID | None
    expires_at: datetime | None
    notes: str | None
    deleted_at: datetime | None
