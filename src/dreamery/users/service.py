"""Users and profiles: their specs and the operations particular to people.

A user is created with their profile and a welcome notification in one transaction; deleting
or restoring a user takes their profile along; every change to a name, email, company or
specialties refreshes the user's search digest; an administrator cannot shut themselves out.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud, emails
from dreamery.core.access import authorize, refuse_own
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.entities import (
    EVERY_OPERATION,
    Crud,
    EntityId,
    EntitySpec,
    Input,
    Ownership,
    Tenancy,
)
from dreamery.core.errors import ConflictError, FieldError, NotFoundError, ValidationError
from dreamery.core.pagination import Page, check_limit
from dreamery.core.types import utcnow
from dreamery.models import Organization, User, UserProfile, UserRole
from dreamery.models.enums import AuditAction, OrgRole, Resource
from dreamery.models.users import search_text
from dreamery.notifications import service as notifications
from dreamery.organizations import service as organizations
from dreamery.users import search
from dreamery.users.schemas import (
    ProfileCard,
    ProfileFilters,
    ProfileSort,
    RoleVerification,
    UserCard,
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
    row_label=lambda user: f"{user.first_name} {user.last_name} · {user.email}",
    list_columns=(
        "email",
        "first_name",
        "last_name",
        "role_id",
        "is_active",
        "is_admin",
        "last_login_at",
    ),
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
    # Made with its user (`create_user`), so there is never a second one to create.
    offers=EVERY_OPERATION - {Crud.CREATE},
    group="People",
    list_columns=(
        "user_id",
        "company",
        "phone",
        "license_number",
        "license_state",
        "experience",
    ),
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
    """A user, their organization's membership, their profile (empty unless the input
    carries one) and their welcome notification, in one transaction. `claimed`: the role was
    chosen by the user themselves (sign-up) and holds nothing until verified; a role given by
    an administrator is verified."""
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
    # Every user has a profile from the start: an empty one when the input carries none.
    fields = profile.model_dump(exclude_unset=True) if profile is not None else {}
    await crud.create(session, caller, PROFILES, {**fields, "user_id": user.id})
    await refresh_search_text(session, user.id)
    await notifications.welcome(session, caller, user)
    return user


async def for_the_caller(
    session: AsyncSession,
    caller: Caller,
    given: Mapping[str, Any],
    *,
    user_field: str = "user_id",
    role_field: str | None = "role_id",
) -> dict[str, Any]:
    """What a new row left out of whom it is for, as the server knows it.

    The user (assignee, owner) is the caller; the role is that user's professional role (each
    user holds one: `users.role_id`), the caller's own or, when the row is for someone else,
    theirs. A row for someone else is still checked by the permission that reaches them.
    """
    decided: dict[str, Any] = {}
    user_id = given.get(user_field)
    if user_id is None:
        if caller.actor.user_id is None:
            raise ValidationError(
                [FieldError(user_field, "name the user: nobody is signed in", "missing")]
            )
        user_id = decided[user_field] = caller.actor.user_id
    if role_field is not None and given.get(role_field) is None:
        if user_id == caller.actor.user_id and caller.actor.role_id is not None:
            decided[role_field] = caller.actor.role_id
        else:
            role_id = await session.scalar(
                select(User.role_id).where(User.id == user_id, User.deleted_at.is_(None))
            )
            if role_id is None:
                raise ValidationError(
                    [FieldError(user_field, f"no user with id {user_id}", "missing_reference")]
                )
            decided[role_field] = role_id
    return decided


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
    checked = USERS.check_filters(filters)
    for name, value in checked.items():
        conditions.append(USERS.column(name) == value)
    private = None if caller.actor.is_privileged else private_visible(caller)
    if private is not None and PRIVATE_FILTERS & set(checked):
        conditions.append(private)
    return await search.search(session, query, conditions, limit, private=private)


# --- the directory: a public card for other professionals, the full record for a few -----

# Filters on what the card does not show: they select only among users whose full record
# the caller may see, so that filtering cannot reveal an e-mail or a flag.
PRIVATE_FILTERS = frozenset({"email", "is_active", "is_admin"})


def private_visible(caller: Caller) -> ColumnElement[bool]:
    """The users whose full record (e-mail, phone, last sign-in, flags) the caller may see:
    themselves, the members of an organization they administer, and everyone for platform
    administrators."""
    actor = caller.actor
    if actor.is_privileged:
        return true()
    if actor.user_id is None:
        return false()
    return or_(
        User.id == actor.user_id,
        User.id.in_(organizations.administered_members(actor.user_id)),
    )


async def _fully_visible(
    session: AsyncSession, caller: Caller, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of the users `ids` the caller may see in full, in one query (none for a
    platform administrator, who sees everyone)."""
    if caller.actor.is_privileged or not ids:
        return set(ids)
    visible = select(User.id).where(User.id.in_(ids), private_visible(caller))
    return set(await session.scalars(visible))


async def user_views(
    session: AsyncSession, caller: Caller, found: Sequence[User]
) -> list[UserRead | UserCard]:
    """Each user as the caller may see them: the full record or the public card."""
    if not found:
        return []
    ids = [user.id for user in found]
    full = await _fully_visible(session, caller, ids)
    cards: dict[uuid.UUID, UserCard] = {}
    wanted = [user_id for user_id in ids if user_id not in full]
    if wanted:
        rows = await session.execute(
            select(
                User.id,
                UserRole.name.label("role_name"),
                UserProfile.company,
                UserProfile.specialties,
                UserProfile.bio,
                Organization.city,
            )
            .select_from(User)
            .outerjoin(
                UserProfile,
                and_(UserProfile.user_id == User.id, UserProfile.deleted_at.is_(None)),
            )
            .outerjoin(UserRole, UserRole.id == User.role_id)
            .outerjoin(Organization, Organization.id == User.organization_id)
            .where(User.id.in_(wanted))
        )
        details = {row.id: row for row in rows}
        for user in found:
            if user.id in full or user.id not in details:
                continue
            row = details[user.id]
            cards[user.id] = UserCard(
                id=user.id,
                created_at=user.created_at,
                updated_at=user.updated_at,
                first_name=user.first_name,
                last_name=user.last_name,
                role_id=user.role_id,
                role_name=row.role_name,
                company=row.company,
                city=row.city,
                specialties=list(row.specialties or []),
                bio=row.bio,
            )
    return [UserRead.model_validate(user) if user.id in full else cards[user.id] for user in found]


async def find_user_views(
    session: AsyncSession,
    caller: Caller,
    *,
    filters: Mapping[str, object],
    query: str | None = None,
    sort: str | None = None,
    descending: bool | None = None,
    cursor: str | None = None,
    limit: int = 20,
    with_total: bool = False,
    include_deleted: bool = False,
) -> Page[UserRead | UserCard]:
    """A page of the directory, as the caller may see it; `query` is the ranked search."""
    if query is not None and query.strip():
        found = await search_users(session, caller, query, filters=filters, limit=limit)
        return Page(await user_views(session, caller, found), None, None, limit)
    private = [] if caller.actor.is_privileged else [private_visible(caller)]
    page = await crud.find(
        session,
        caller,
        USERS,
        filters=filters,
        where=private if PRIVATE_FILTERS & {k for k, v in filters.items() if v is not None} else [],
        sort=sort,
        descending=descending,
        cursor=cursor,
        limit=limit,
        with_total=with_total,
        include_deleted=include_deleted,
    )
    views = await user_views(session, caller, page.items)
    return Page(views, page.next_cursor, page.total, page.limit)


async def profile_views(
    session: AsyncSession, caller: Caller, found: Sequence[UserProfile]
) -> list[UserProfileRead | ProfileCard]:
    """Each profile as the caller may see it: with the phone only for those who see the
    user's full record."""
    full = await _fully_visible(session, caller, [profile.user_id for profile in found])
    return [
        UserProfileRead.model_validate(profile)
        if profile.user_id in full
        else ProfileCard.model_validate(profile)
        for profile in found
    ]


async def find_profile_views(
    session: AsyncSession,
    caller: Caller,
    *,
    filters: Mapping[str, object],
    sort: str | None = None,
    descending: bool | None = None,
    cursor: str | None = None,
    limit: int = 20,
    with_total: bool = False,
    include_deleted: bool = False,
) -> Page[UserProfileRead | ProfileCard]:
    page = await crud.find(
        session,
        caller,
        PROFILES,
        filters=filters,
        sort=sort,
        descending=descending,
        cursor=cursor,
        limit=limit,
        with_total=with_total,
        include_deleted=include_deleted,
    )
    views = await profile_views(session, caller, page.items)
    return Page(views, page.next_cursor, page.total, page.limit)


async def get_profile_view(
    session: AsyncSession, caller: Caller, profile_id: EntityId, *, include_deleted: bool = False
) -> tuple[UserProfile, UserProfileRead | ProfileCard]:
    profile: UserProfile = await crud.load(
        session, caller, PROFILES, profile_id, include_deleted=include_deleted
    )
    [view] = await profile_views(session, caller, [profile])
    return profile, view


async def get_user_view(
    session: AsyncSession, caller: Caller, user_id: EntityId, *, include_deleted: bool = False
) -> tuple[User, UserRead | UserCard]:
    """One user, and how the caller may see them."""
    user: User = await crud.load(session, caller, USERS, user_id, include_deleted=include_deleted)
    [view] = await user_views(session, caller, [user])
    return user, view
