"""Users and profiles: their specs and the operations particular to people.

A user is created with their profile in one transaction; deleting or restoring a user takes
their profile along; every change to a name, email, company or specialties refreshes the
user's search digest; an administrator cannot shut themselves out.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud, emails
from dreamery.core.access import authorize, refuse_own
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.entities import EntityId, EntitySpec, Input, Ownership, Tenancy
from dreamery.core.errors import ConflictError, NotFoundError
from dreamery.core.pagination import check_limit
from dreamery.core.types import utcnow
from dreamery.models import User, UserProfile
from dreamery.models.enums import AuditAction, OrgRole, Resource
from dreamery.models.users import search_text
from dreamery.organizations import service as organizations
from dreamery.users import search
from dreamery.users.schemas import (
    ProfileFilters,
    ProfileSort,
    RoleVerification,
    UserCreate,
    UserFilters,
    UserProfileCreate,
    UserProfileRead,
    UserProfileUpdate,
    UserRead,
    UserSort,
    UserUpdate,
)

USERS: EntitySpec[User, UserRead] = EntitySpec(
    name="user",
    model=User,
    resource=Resource.USER,
    create_schema=UserCreate,
    update_schema=UserUpdate,
    read_schema=UserRead,
    filters=UserFilters,
    sorts=frozenset(get_args(UserSort)),
    owner=Ownership("id"),
    tenancy=Tenancy(),
    guarded_fields=frozenset({"role_id", "is_active"}),
    admin_fields=frozenset({"is_admin"}),
    group="People",
)

PROFILES: EntitySpec[UserProfile, UserProfileRead] = EntitySpec(
    name="profile",
    model=UserProfile,
    resource=Resource.PROFILE,
    create_schema=UserProfileCreate,
    update_schema=UserProfileUpdate,
    read_schema=UserProfileRead,
    filters=ProfileFilters,
    sorts=frozenset(get_args(ProfileSort)),
    owner=Ownership("user_id"),
    tenancy=Tenancy(from_user="user_id"),
    group="People",
)


@dataclass(frozen=True)
class Joining:
    """Where a new user starts: an existing organization, with this standing (an accepted
    invitation). Without one, a user starts as the owner of a personal organization."""

    organization_id: uuid.UUID
    org_role: OrgRole
    invited_by: uuid.UUID | None = None


@USERS.creates
async def create_user(
    session: AsyncSession,
    caller: Caller,
    data: Input,
    *,
    joining: Joining | None = None,
    claimed: bool = False,
) -> User:
    """A user, their organization's membership, and their profile when the input carries
    one, in one transaction. `claimed`: the role was chosen by the user themselves (sign-up)
    and holds nothing until verified; a role given by an administrator is verified."""
    payload = await crud.parse_checked(session, caller, USERS, UserCreate, data)
    profile = payload.profile
    if joining is None:
        personal = await organizations.open_personal_organization(
            session,
            caller,
            name=f"{payload.first_name} {payload.last_name}",
            role_id=payload.role_id,
        )
        joining = Joining(personal.id, OrgRole.OWNER)
    verified = (
        {} if claimed else {"role_verified_at": utcnow(), "role_verified_by": caller.actor.user_id}
    )
    user: User = await crud.create(
        session,
        caller,
        USERS,
        payload.model_copy(update={"profile": None}),
        extra={"organization_id": joining.organization_id, **verified},
    )
    await organizations.join(
        session,
        caller,
        user_id=user.id,
        organization_id=joining.organization_id,
        org_role=joining.org_role,
        invited_by=joining.invited_by,
    )
    if profile is not None:
        await crud.create(
            session,
            caller,
            PROFILES,
            {**profile.model_dump(exclude_unset=True), "user_id": user.id},
        )
    await refresh_search_text(session, user.id)
    return user


async def find_user_by_email(session: AsyncSession, caller: Caller, email: str) -> User:
    visible = crud.visible_conditions(USERS, caller, include_deleted=False)
    user = await session.scalar(
        select(User).where(
            func.lower(User.email) == func.lower(emails.lookup_form(email)), *visible
        )
    )
    if user is None:
        raise NotFoundError(f"no user with email {email}", resource="user")
    return user


def _not_own_admin_account(caller: Caller, entity_id: EntityId, what: str) -> None:
    """An administrator cannot shut themselves out: another administrator must do it, so
    the hub is never left without one by a slip."""
    actor = caller.actor
    if actor.is_admin and actor.user_id is not None and str(actor.user_id) == str(entity_id):
        raise ConflictError(
            f"an administrator cannot {what} their own account; ask another administrator",
            resource="user",
        )


@USERS.deletes
async def delete_user(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    *,
    expected_version: int | None = None,
) -> User:
    """Soft-delete the user and their profile; their audit history stays."""
    _not_own_admin_account(caller, entity_id, "delete")
    user: User = await crud.delete(
        session, caller, USERS, entity_id, expected_version=expected_version
    )
    profile_id = await session.scalar(
        select(UserProfile.id).where(
            UserProfile.user_id == user.id, UserProfile.deleted_at.is_(None)
        )
    )
    if profile_id is not None:
        await crud.delete(session, caller, PROFILES, profile_id)
    return user


@USERS.restores
async def restore_user(session: AsyncSession, caller: Caller, entity_id: EntityId) -> User:
    user: User = await crud.restore(session, caller, USERS, entity_id)
    profile_id = await session.scalar(
        select(UserProfile.id).where(
            UserProfile.user_id == user.id, UserProfile.deleted_at.is_not(None)
        )
    )
    if profile_id is not None:
        await crud.restore(session, caller, PROFILES, profile_id)
    return user


async def refresh_search_text(session: AsyncSession, user_id: Any) -> None:
    """Recompute the user's search digest (not a change of its own: no version, no audit)."""
    row = (
        await session.execute(
            select(
                User.first_name,
                User.last_name,
                User.email,
                User.search_text,
                UserProfile.company,
                UserProfile.specialties,
            )
            .outerjoin(UserProfile, UserProfile.user_id == User.id)
            .where(User.id == user_id)
        )
    ).first()
    if row is None:
        return
    digest = search_text(
        row.first_name, row.last_name, row.email, row.company, row.specialties or ()
    )
    if digest != row.search_text:
        await session.execute(
            update(User)
            .where(User.id == user_id)
            .values(search_text=digest)
            .execution_options(synchronize_session=False)
        )


@USERS.updates
async def update_user(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    data: Input,
    *,
    expected_version: int | None = None,
) -> User:
    payload = crud.parse(UserUpdate, data)
    if payload.is_active is False or payload.is_admin is False:
        _not_own_admin_account(caller, entity_id, "deactivate or demote")
    user: User = await crud.update(
        session, caller, USERS, entity_id, payload, expected_version=expected_version
    )
    await refresh_search_text(session, user.id)
    return user


@USERS.action(
    "verify-role",
    input=RoleVerification,
    label="Verify role",
    owns={"role_verified_at", "role_verified_by"},
    applies=lambda user: user.role_verified_at is None,
)
async def verify_role(
    session: AsyncSession, caller: Caller, user_id: EntityId, verification: RoleVerification
) -> User:
    """Verify the professional role the user claimed, with their profile's license (an
    administrator of their organization, or of the platform): from then on the role's
    permissions are theirs."""
    user: User = await crud.load(session, caller, USERS, user_id)
    await authorize(session, caller, USERS, PermissionAction.APPROVE, user)
    refuse_own(caller, USERS, user, "verify the role of")
    if user.role_verified_at is not None:
        return user
    verified: User = await crud.apply(
        session,
        caller,
        USERS,
        user,
        {"role_verified_at": utcnow(), "role_verified_by": caller.actor.user_id},
        action=AuditAction.VERIFY,
        expected_version=verification.version,
    )
    return verified


async def _claim_again(session: AsyncSession, caller: Caller, user_id: Any) -> None:
    """A license changed by its holder is a new claim: their role waits for verification
    again (an administrator's change is their own verification)."""
    if caller.actor.is_privileged:
        return
    user = await session.get(User, user_id)
    if user is None or user.role_verified_at is None:
        return
    await crud.apply(
        session,
        caller,
        USERS,
        user,
        {"role_verified_at": None, "role_verified_by": None},
        action=AuditAction.UPDATE,
    )


@PROFILES.creates
async def create_profile(session: AsyncSession, caller: Caller, data: Input) -> UserProfile:
    profile: UserProfile = await crud.create(session, caller, PROFILES, data)
    await refresh_search_text(session, profile.user_id)
    return profile


@PROFILES.updates
async def update_profile(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    data: Input,
    *,
    expected_version: int | None = None,
) -> UserProfile:
    before = await crud.load(session, caller, PROFILES, entity_id)
    license_before = (before.license_number, before.license_state)
    profile: UserProfile = await crud.update(
        session, caller, PROFILES, entity_id, data, expected_version=expected_version
    )
    if (profile.license_number, profile.license_state) != license_before:
        await _claim_again(session, caller, profile.user_id)
    await refresh_search_text(session, profile.user_id)
    return profile


@USERS.searches
async def search_users(
    session: AsyncSession,
    caller: Caller,
    query: str,
    *,
    filters: Mapping[str, Any],
    limit: int = 20,
) -> list[User]:
    """Users matching `query` (names, email, company, specialties), best first, among those
    the filters select."""
    limit = check_limit(limit)
    conditions = crud.visible_conditions(USERS, caller, include_deleted=False)
    for name, value in USERS.check_filters(filters).items():
        conditions.append(USERS.column(name) == value)
    return await search.search(session, query, conditions, limit)
