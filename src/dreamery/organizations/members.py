"""Who belongs to which organization: making an organization with its first owner, moving
a member (an accepted invitation, a removal), standing in the organization, invitations.

A professional belongs to exactly one organization at a time. Moving them ends their active
membership (kept, `removed`, as history), opens the new one, and points their user row and
profile at the new organization; the work they did stays with the organization it was done
for.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud, emails
from dreamery.core.access import authorize
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.db import widen_rows
from dreamery.core.entities import EntityId, Input
from dreamery.core.errors import (
    AuthenticationError,
    ConflictError,
    DuplicateError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from dreamery.core.types import utcnow
from dreamery.models import Invitation, Membership, Organization, User, UserProfile
from dreamery.models.enums import AuditAction, MembershipStatus, OrgRole
from dreamery.organizations.schemas import (
    InvitationCreate,
    MemberRemoval,
    OrganizationCreate,
    OrgRoleChange,
)
from dreamery.organizations.service import (
    INVITATIONS,
    MEMBERSHIPS,
    ORGANIZATIONS,
    free_slug,
    join,
    open_personal_organization,
    refuse_last_owner,
    slugify,
)
from dreamery.users.service import PROFILES, USERS

# Standings only an owner gives (or takes away).
APPOINTED = frozenset({OrgRole.OWNER, OrgRole.ADMIN, OrgRole.REVIEWER})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _refuse_unless_owner(caller: Caller, what: str) -> None:
    actor = caller.actor
    if not actor.is_privileged and actor.org_role != OrgRole.OWNER:
        raise PermissionDeniedError(
            f"only an owner of the organization may {what}",
            permission="organization owner",
            field="org_role",
        )


async def _active_membership(session: AsyncSession, user_id: uuid.UUID) -> Membership | None:
    found: Membership | None = await session.scalar(
        select(Membership)
        .where(Membership.user_id == user_id, Membership.status == MembershipStatus.ACTIVE)
        .with_for_update()
    )
    return found


async def move(
    session: AsyncSession,
    caller: Caller,
    user: User,
    organization_id: uuid.UUID,
    org_role: OrgRole,
    *,
    invited_by: uuid.UUID | None = None,
) -> Membership:
    """Move `user` into the organization: end their membership, open the new one, point
    their account and profile at it."""
    current = await _active_membership(session, user.id)
    if current is not None:
        if current.organization_id == organization_id:
            raise ConflictError("already a member of that organization", field="organization_id")
        await refuse_last_owner_unless_personal(session, current, "move them out")
        await crud.apply(
            session,
            caller,
            MEMBERSHIPS,
            current,
            {"status": MembershipStatus.REMOVED, "ended_at": utcnow()},
            action=AuditAction.REMOVE,
        )
        await crud.flush(session, Membership)
    membership = await join(
        session,
        caller,
        user_id=user.id,
        organization_id=organization_id,
        org_role=org_role,
        invited_by=invited_by,
    )
    await _point_at(session, caller, user, organization_id)
    return membership


async def refuse_last_owner_unless_personal(
    session: AsyncSession, membership: Membership, what: str
) -> None:
    organization = await session.get(Organization, membership.organization_id)
    if organization is not None and not organization.is_personal:
        await refuse_last_owner(session, membership, what)


async def _point_at(
    session: AsyncSession, caller: Caller, user: User, organization_id: uuid.UUID
) -> None:
    """The account and profile now belong to the organization (audited as their changes)."""
    before = user.organization_id
    user.organization_id = organization_id
    await crud.flush_versioned(session, USERS, user.id)
    await crud.record_change(
        session,
        caller,
        USERS,
        AuditAction.UPDATE,
        user.id,
        {"organization_id": [str(before), str(organization_id)]},
    )
    profile = await session.scalar(select(UserProfile).where(UserProfile.user_id == user.id))
    if profile is not None and profile.organization_id != organization_id:
        before = profile.organization_id
        profile.organization_id = organization_id
        await crud.flush_versioned(session, PROFILES, profile.id)
        await crud.record_change(
            session,
            caller,
            PROFILES,
            AuditAction.UPDATE,
            profile.id,
            {"organization_id": [str(before), str(organization_id)]},
        )


# --- organizations ---------------------------------------------------------------------------


@ORGANIZATIONS.creates
async def create_organization(session: AsyncSession, caller: Caller, data: Input) -> Organization:
    """A new organization with its first owner: the professional who makes it (who moves
    into it), or, for a platform administrator or the command line, `owner_id` (or nobody)."""
    payload = crud.parse(OrganizationCreate, data)
    actor = caller.actor
    if actor.scope(ORGANIZATIONS.resource, PermissionAction.CREATE) is None:
        permission = f"{ORGANIZATIONS.resource}:{PermissionAction.CREATE}:own"
        raise PermissionDeniedError(
            f"you need the permission '{permission}' to create an organization",
            permission=permission,
            resource="organization",
        )
    owner_id = payload.owner_id
    if not actor.is_privileged:
        if owner_id is not None and owner_id != actor.user_id:
            raise PermissionDeniedError(
                "an organization's first owner is whoever makes it", field="owner_id"
            )
        owner_id = actor.user_id
    owner = None
    if owner_id is not None:
        owner = await session.scalar(
            select(User).where(User.id == owner_id, User.deleted_at.is_(None))
        )
        if owner is None:
            raise ValidationError([FieldError("owner_id", f"no user with id {owner_id}")])
    if payload.slug is not None:
        taken = await session.scalar(
            select(func.count()).select_from(Organization).where(Organization.slug == payload.slug)
        )
        if taken:
            raise DuplicateError("slug")
        slug = payload.slug
    else:
        slug = await free_slug(session, slugify(payload.name))
    values = payload.model_dump(exclude={"owner_id", "slug"})
    await widen_rows(session)  # its creator moves into an organization that is not theirs yet
    organization = Organization(**values, slug=slug, is_personal=False)
    session.add(organization)
    await crud.flush(session, Organization)
    await crud.record_change(
        session,
        caller,
        ORGANIZATIONS,
        AuditAction.CREATE,
        organization.id,
        {"name": [None, organization.name], "slug": [None, slug], "kind": [None, payload.kind]},
    )
    if owner is not None:
        await move(session, caller, owner, organization.id, OrgRole.OWNER)
    return organization


# --- memberships -----------------------------------------------------------------------------


async def add_member(
    session: AsyncSession,
    caller: Caller,
    organization_id: EntityId,
    user_id: EntityId,
    org_role: OrgRole,
) -> Membership:
    """Move a user into an organization directly: platform administrators and the command
    line (everyone else invites, and the invited accept)."""
    if not caller.actor.is_privileged:
        raise PermissionDeniedError(
            "only a platform administrator adds members directly; invite them instead",
            permission="administrator",
        )
    organization: Organization = await crud.load(session, caller, ORGANIZATIONS, organization_id)
    user = await crud.load(session, caller, USERS, user_id)
    return await move(session, caller, user, organization.id, org_role)


@MEMBERSHIPS.action(
    "role",
    input=OrgRoleChange,
    label="Change standing",
    owns={"org_role"},
    applies=lambda membership: membership.status is MembershipStatus.ACTIVE,
)
async def change_org_role(
    session: AsyncSession, caller: Caller, membership_id: EntityId, change: OrgRoleChange
) -> Membership:
    """Change a member's standing in the organization: an owner appoints admins and
    reviewers (and other owners); the last owner stays an owner."""
    membership: Membership = await crud.load(session, caller, MEMBERSHIPS, membership_id)
    await authorize(session, caller, MEMBERSHIPS, PermissionAction.UPDATE, membership)
    if membership.status is not MembershipStatus.ACTIVE:
        raise ConflictError("this membership has ended", field="status")
    if change.org_role == membership.org_role:
        return membership
    if change.org_role in APPOINTED or membership.org_role in APPOINTED:
        _refuse_unless_owner(caller, f"appoint or remove a {membership.org_role}/{change.org_role}")
    if membership.org_role is OrgRole.OWNER:
        await refuse_last_owner(session, membership, "stop being an owner")
    changed: Membership = await crud.apply(
        session,
        caller,
        MEMBERSHIPS,
        membership,
        {"org_role": change.org_role},
        action=AuditAction.CHANGE_ROLE,
        expected_version=change.version,
    )
    return changed


@MEMBERSHIPS.action(
    "remove",
    input=MemberRemoval,
    label="Remove from the organization",
    owns={"status", "ended_at"},
    applies=lambda membership: membership.status is MembershipStatus.ACTIVE,
)
async def remove_member(
    session: AsyncSession, caller: Caller, membership_id: EntityId, removal: MemberRemoval
) -> Membership:
    """End a membership (an admin removing a member, or a member leaving): the member goes
    on in a personal organization of their own; their work stays with this organization."""
    membership: Membership = await crud.load(session, caller, MEMBERSHIPS, membership_id)
    await authorize(session, caller, MEMBERSHIPS, PermissionAction.DELETE, membership)
    if membership.status is not MembershipStatus.ACTIVE:
        raise ConflictError("this membership has already ended", field="status")
    if (expected := removal.version) and membership.version != expected:
        raise ConflictError(
            f"membership {membership.id} changed since version {expected} "
            f"(now {membership.version}); reload and retry",
            current_version=membership.version,
        )
    organization = await session.get(Organization, membership.organization_id)
    if organization is not None and organization.is_personal:
        raise ConflictError(
            "a personal organization cannot be left: accept an invitation to another one",
            field="organization_id",
        )
    if membership.org_role in APPOINTED and membership.user_id != caller.actor.user_id:
        _refuse_unless_owner(caller, f"remove a {membership.org_role}")
    await refuse_last_owner(session, membership, "leave")
    user = await session.get(User, membership.user_id)
    assert user is not None
    await widen_rows(session)  # they go on in an organization of their own
    personal = await open_personal_organization(
        session, caller, name=user.full_name, role_id=user.role_id
    )
    await move(session, caller, user, personal.id, OrgRole.OWNER)
    await session.refresh(membership)
    return membership


# --- invitations -----------------------------------------------------------------------------


@INVITATIONS.creates
async def invite(session: AsyncSession, caller: Caller, data: Input) -> Invitation:
    """An invitation into an organization; its token is in the answer, once."""
    payload = crud.parse(InvitationCreate, data)
    actor = caller.actor
    organization_id = payload.organization_id if actor.is_privileged else None
    organization_id = organization_id or actor.organization_id
    if organization_id is None:
        raise ValidationError(
            [FieldError("organization_id", "which organization is the invitation into?")]
        )
    if payload.org_role in APPOINTED:
        _refuse_unless_owner(caller, f"invite a new {payload.org_role}")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization_id=organization_id,
        email=emails.lookup_form(payload.email),
        org_role=payload.org_role,
        token_hash=token_hash(token),
        invited_by=actor.user_id,
        expires_at=utcnow() + timedelta(days=payload.days),
    )
    await authorize(session, caller, INVITATIONS, PermissionAction.CREATE, invitation)
    await crud.check_references(session, caller, Invitation, {"organization_id": organization_id})
    session.add(invitation)
    await crud.flush(session, Invitation)
    await crud.record_change(
        session,
        caller,
        INVITATIONS,
        AuditAction.CREATE,
        invitation.id,
        {
            "organization_id": [None, str(organization_id)],
            "email": [None, invitation.email],
            "org_role": [None, invitation.org_role],
        },
    )
    invitation.token = token  # type: ignore[attr-defined]
    return invitation


@INVITATIONS.deletes
async def revoke_invitation(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    *,
    expected_version: int | None = None,
) -> Invitation:
    """Revoke an invitation not yet accepted (it stays listed, revoked)."""
    invitation: Invitation = await crud.load(session, caller, INVITATIONS, entity_id)
    await authorize(session, caller, INVITATIONS, PermissionAction.DELETE, invitation)
    crud.check_version(INVITATIONS, invitation, expected_version)
    if invitation.accepted_at is not None:
        raise ConflictError("this invitation has been accepted; remove the member instead")
    if invitation.revoked_at is not None:
        return invitation
    revoked: Invitation = await crud.apply(
        session,
        caller,
        INVITATIONS,
        invitation,
        {"revoked_at": utcnow()},
        action=AuditAction.DELETE,
    )
    return revoked


async def open_invitation(session: AsyncSession, token: str, email: str) -> Invitation:
    """The invitation the token opens, for this e-mail address, if it still holds; every
    other case is one answer, so a token cannot be probed for what it was."""
    invitation: Invitation | None = await session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token)).with_for_update()
    )
    usable = (
        invitation is not None
        and invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > utcnow()
    )
    if not usable or invitation is None:
        raise NotFoundError("no such invitation, or it has expired, been used or been revoked")
    if emails.lookup_form(email).lower() != invitation.email.lower():
        raise PermissionDeniedError("this invitation is for another e-mail address", field="token")
    return invitation


async def accept_invitation(session: AsyncSession, caller: Caller, token: str) -> Membership:
    """Accept an invitation as the signed-in user: they move into its organization."""
    if caller.actor.user_id is None:
        raise AuthenticationError("sign in to accept an invitation")
    user = await session.get(User, caller.actor.user_id)
    if user is None:
        raise AuthenticationError("sign in to accept an invitation")
    # The invitation, and the organization it opens, are another organization's rows.
    await widen_rows(session)
    invitation = await open_invitation(session, token, user.email)
    membership = await move(
        session,
        caller,
        user,
        invitation.organization_id,
        invitation.org_role,
        invited_by=invitation.invited_by,
    )
    await mark_accepted(session, caller, invitation, user.id)
    return membership


async def mark_accepted(
    session: AsyncSession, caller: Caller, invitation: Invitation, user_id: uuid.UUID
) -> None:
    await crud.apply(
        session,
        caller,
        INVITATIONS,
        invitation,
        {"accepted_at": utcnow(), "accepted_by": user_id},
        action=AuditAction.ACCEPT,
    )
