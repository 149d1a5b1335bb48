"""User and profile schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    UrlConstraints,
    field_validator,
)
from typing_extensions import TypedDict

from dreamery.catalog.schemas import RoleRead
from dreamery.core.schemas import (
    EmailAddress,
    EntityRead,
    InputSchema,
    PersonName,
    Slug,
    Tag,
    UpdateSchema,
    VersionedRead,
    VersionInput,
    pattern_explained,
)

Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()./-]{7,32}$", max_length=32),
    pattern_explained("a phone number: digits, spaces and + ( ) . / -, 7 to 32 characters"),
]
Specialties = Annotated[list[Tag], Field(max_length=30)]
URL_MAX = 2048


UserSort = Literal["created_at", "last_name", "email"]
ProfileSort = Literal["created_at"]


# A state, province or region code, as the license names it ("CA", "TX", "ON").
LicenseState = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
    pattern_explained("a two-letter code, e.g. CA"),
]


class UserFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    id: uuid.UUID
    role_id: str
    is_active: bool
    is_admin: bool
    email: str


class ProfileFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    user_id: uuid.UUID
    company: str


def _stored_length(url: HttpUrl) -> HttpUrl:
    # Normalising may add a character (a trailing slash): the stored form must fit too.
    if len(str(url)) > URL_MAX:
        raise ValueError(f"URL should have at most {URL_MAX} characters")
    return url


AvatarUrl = Annotated[HttpUrl, UrlConstraints(max_length=URL_MAX), AfterValidator(_stored_length)]


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


class ProfileFields(InputSchema):
    license_state: LicenseState | None = None
    phone: Phone | None = None
    company: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    license_number: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    specialties: Specialties = Field(default_factory=list)
    experience: int = Field(default=0, ge=0, le=50, description="years in the profession")
    bio: Annotated[str, StringConstraints(max_length=1000)] | None = None
    avatar: AvatarUrl | None = None

    _dedupe = field_validator("specialties")(_unique)


class UserProfileCreate(ProfileFields):
    user_id: uuid.UUID


class UserProfileUpdate(UpdateSchema):
    license_state: LicenseState | None = None
    phone: Phone | None = None
    company: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    license_number: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    specialties: Specialties | None = None
    experience: int | None = Field(default=None, ge=0, le=50)
    bio: Annotated[str, StringConstraints(max_length=1000)] | None = None
    avatar: AvatarUrl | None = None


class UserProfileRead(VersionedRead):
    organization_id: uuid.UUID
    license_state: str | None
    user_id: uuid.UUID
    phone: str | None
    company: str | None
    license_number: str | None
    specialties: list[str]
    experience: int
    bio: str | None
    avatar: str | None
    deleted_at: datetime | None


class ProfileCard(VersionedRead):
    """A profile as other professionals see it: without the phone number."""

    organization_id: uuid.UUID
    license_state: str | None
    user_id: uuid.UUID
    company: str | None
    license_number: str | None
    specialties: list[str]
    experience: int
    bio: str | None
    avatar: str | None
    deleted_at: datetime | None


ProfileView = Annotated[
    UserProfileRead | ProfileCard,
    Field(
        description="with the phone (`UserProfileRead`) for those who see the user's full "
        "record; without it (`ProfileCard`) for everyone else"
    ),
]


class UserCreate(InputSchema):
    """An account given by an administrator: its role is verified from the start."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "catherine.miller@example.com",
                    "first_name": "Catherine",
                    "last_name": "Miller",
                    "role_id": "residential-appraiser",
                    "profile": {
                        "company": "Miller Valuation",
                        "license_number": "RA-0042187",
                        "license_state": "ME",
                        "specialties": ["single-family", "waterfront"],
                        "experience": 12,
                    },
                }
            ]
        }
    )

    email: EmailAddress
    first_name: PersonName
    last_name: PersonName
    role_id: Slug
    is_active: bool = True
    is_admin: bool = False
    profile: ProfileFields | None = None


class UserUpdate(UpdateSchema):
    email: EmailAddress | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    role_id: Slug | None = None
    is_active: bool | None = None
    is_admin: bool | None = None


class RoleVerification(VersionInput):
    """Confirm the professional role (and the profile's license) the user claimed."""


class UserRead(VersionedRead):
    organization_id: uuid.UUID
    role_verified_at: datetime | None
    email: str
    first_name: str
    last_name: str
    role_id: str
    is_active: bool
    is_admin: bool
    last_login_at: datetime | None
    deleted_at: datetime | None


class UserCard(EntityRead):
    """A professional as the directory shows them to other professionals: who they are and
    what they do, without their e-mail, phone, sign-ins or account flags (those are in
    `UserRead`, for the user themselves, their organization's admins and platform
    administrators)."""

    first_name: str
    last_name: str
    role_id: str
    role_name: str | None = Field(description="the professional role's name")
    company: str | None
    city: str | None = Field(description="the city of the user's organization")
    specialties: list[str]
    bio: str | None


UserView = Annotated[
    UserRead | UserCard,
    Field(
        description="the full record (`UserRead`) for the user themselves, the admins of an "
        "organization they belong to and platform administrators; the public card "
        "(`UserCard`) for everyone else"
    ),
]


class UserReadWithProfile(UserRead):
    profile: UserProfileRead | None = None


class UserReadWithRole(UserRead):
    role: RoleRead | None = None


class UserReadFull(UserReadWithProfile):
    """A user with the relations asked for by `include=("profile", "role")`."""

    role: RoleRead | None = None


__all__ = [
    "EntityRead",
    "ProfileCard",
    "ProfileFields",
    "ProfileFilters",
    "ProfileSort",
    "ProfileView",
    "UserCard",
    "UserCreate",
    "UserFilters",
    "UserProfileCreate",
    "UserProfileRead",
    "UserProfileUpdate",
    "UserRead",
    "UserReadFull",
    "UserReadWithProfile",
    "UserReadWithRole",
    "UserSort",
    "UserUpdate",
    "UserView",
]
