"""Organization, membership and invitation schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from dreamery.core.schemas import (
    EmailAddress,
    InputSchema,
    JsonObject,
    Slug,
    UpdateSchema,
    VersionedRead,
    VersionInput,
    pattern_explained,
)
from dreamery.models.enums import MembershipStatus, OrganizationKind, OrgRole

OrganizationName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
    pattern_explained("a two-letter code, e.g. CA"),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ().-]{5,32}$"),
    pattern_explained("a phone number: digits, spaces and + ( ) . -, 5 to 32 characters"),
]
Website = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2048)]
License = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# The raw invitation token: URL-safe, as `secrets.token_urlsafe` makes it.
InvitationToken = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=20, max_length=100)
]

OrganizationSort = Literal["name", "created_at"]
MembershipSort = Literal["created_at", "joined_at"]
InvitationSort = Literal["created_at", "expires_at"]


class OrganizationFilters(TypedDict, total=False):
    kind: OrganizationKind
    is_personal: bool
    slug: str


class MembershipFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    user_id: uuid.UUID
    org_role: OrgRole
    status: MembershipStatus


class InvitationFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    email: str


class OrganizationFields(InputSchema):
    email: EmailAddress | None = None
    phone: Phone | None = None
    website: Website | None = None
    address_line1: Line | None = None
    address_line2: Line | None = None
    city: Short | None = None
    region: Short | None = None
    postal_code: PostalCode | None = None
    country: Country | None = None
    license_number: License | None = None
    settings: JsonObject = Field(default_factory=dict)


class OrganizationCreate(OrganizationFields):
    """A new organization. Its creator becomes its owner and moves into it (leaving their
    personal organization); a platform administrator or the command line may instead name
    its first owner (`owner_id`), or none yet."""

    name: OrganizationName
    slug: Slug | None = Field(default=None, description="made from the name when left out")
    kind: OrganizationKind = OrganizationKind.OTHER
    owner_id: uuid.UUID | None = None


class OrganizationUpdate(UpdateSchema):
    name: OrganizationName | None = None
    kind: OrganizationKind | None = None
    email: EmailAddress | None = None
    phone: Phone | None = None
    website: Website | None = None
    address_line1: Line | None = None
    address_line2: Line | None = None
    city: Short | None = None
    region: Short | None = None
    postal_code: PostalCode | None = None
    country: Country | None = None
    license_number: License | None = None
    settings: JsonObject | None = None


class OrganizationVerification(VersionInput):
    """A platform administrator's check that the organization is who it says it is."""


class OrganizationRead(VersionedRead):
    name: str
    slug: str
    kind: OrganizationKind
    is_personal: bool
    email: str | None
    phone: str | None
    website: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    license_number: str | None
    settings: dict[str, object]
    verified_at: datetime | None
    verified_by: uuid.UUID | None
    deleted_at: datetime | None


class OrgRoleChange(VersionInput):
    """A member's new standing. Only an owner appoints admins, reviewers and owners."""

    org_role: OrgRole


class MemberRemoval(VersionInput):
    """Take a member out of the organization (or, on one's own membership, leave it): they
    continue in a personal organization of their own."""


class MembershipRead(VersionedRead):
    user_id: uuid.UUID
    organization_id: uuid.UUID
    org_role: OrgRole
    status: MembershipStatus
    invited_by: uuid.UUID | None
    joined_at: datetime | None
    ended_at: datetime | None


class InvitationCreate(InputSchema):
    """An invitation for `email` to join the inviting admin's organization as `org_role`."""

    email: EmailAddress
    org_role: OrgRole = OrgRole.MEMBER
    organization_id: uuid.UUID | None = Field(
        default=None, description="platform administrators: which organization; others: theirs"
    )
    days: int = Field(default=7, ge=1, le=30, description="how long the invitation holds")


class InvitationRead(VersionedRead):
    organization_id: uuid.UUID
    email: str
    org_role: OrgRole
    invited_by: uuid.UUID | None
    expires_at: datetime
    accepted_at: datetime | None
    accepted_by: uuid.UUID | None
    revoked_at: datetime | None
    # Shown once, to whoever made the invitation; only its hash is kept.
    token: str | None = None


class InvitationAcceptance(InputSchema):
    token: InvitationToken


__all__ = [
    "InvitationAcceptance",
    "InvitationCreate",
    "InvitationFilters",
    "InvitationRead",
    "InvitationSort",
    "InvitationToken",
    "MemberRemoval",
    "MembershipFilters",
    "MembershipRead",
    "MembershipSort",
    "OrgRoleChange",
    "OrganizationCreate",
    "OrganizationFilters",
    "OrganizationRead",
    "OrganizationSort",
    "OrganizationUpdate",
    "OrganizationVerification",
]
