"""Organizations: their spec, the personal organization every professional starts in, and a
platform administrator's verification.

Who belongs where, invitations, and making an organization with its first owner are in
`members`, which moves people (their user rows) between organizations.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any, get_args

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dreamery.core import crud
from dreamery.core.access import authorize
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.entities import Crud, EntityId, EntitySpec, Ownership, Tenancy
from dreamery.core.errors import ConflictError
from dreamery.core.ids import new_id
from dreamery.core.types import utcnow
from dreamery.models import Invitation, Membership, Organization, UserRole
from dreamery.models.base import SLUG_LENGTH
from dreamery.models.enums import (
    AuditAction,
    MembershipStatus,
    OrganizationKind,
    OrgRole,
    Resource,
)
from dreamery.organizations.schemas import (
    InvitationCreate,
    InvitationFilters,
    InvitationRead,
    InvitationSort,
    MembershipFilters,
    MembershipRead,
    MembershipSort,
    OrganizationCreate,
    OrganizationFilters,
    OrganizationRead,
    OrganizationSort,
    OrganizationUpdate,
    OrganizationVerification,
)

ORGANIZATIONS: EntitySpec[Organization, OrganizationRead] = EntitySpec(
    name="organization",
    model=Organization,
    resource=Resource.ORGANIZATION,
    create_schema=OrganizationCreate,
    update_schema=OrganizationUpdate,
    read_schema=OrganizationRead,
    filters=OrganizationFilters,
    sorts=frozenset(get_args(OrganizationSort)),
    default_sort="name",
    descending=False,
    # One's own organization is the one one belongs to.
    owner=Ownership("id", "organization_id"),
    tenancy=Tenancy(column="id"),
    guarded_fields=frozenset({"kind"}),
    group="Organizations",
    row_label=lambda organization: organization.name,
    list_columns=(
        "name",
        "kind",
        "city",
        "country",
        "is_personal",
        "verified_at",
    ),
)

MEMBERSHIPS: EntitySpec[Membership, MembershipRead] = EntitySpec(
    name="membership",
    model=Membership,
    resource=Resource.MEMBERSHIP,
    read_schema=MembershipRead,
    filters=MembershipFilters,
    sorts=frozenset(get_args(MembershipSort)),
    owner=Ownership("user_id"),
    tenancy=Tenancy(),
    offers=frozenset({Crud.LIST, Crud.GET}),
    path="members",
    group="Organizations",
    list_columns=(
        "user_id",
        "organization_id",
        "org_role",
        "status",
        "joined_at",
    ),
)

INVITATIONS: EntitySpec[Invitation, InvitationRead] = EntitySpec(
    name="invitation",
    model=Invitation,
    resource=Resource.INVITATION,
    create_schema=InvitationCreate,
    read_schema=InvitationRead,
    filters=InvitationFilters,
    sorts=frozenset(get_args(InvitationSort)),
    tenancy=Tenancy(),
    offers=frozenset({Crud.LIST, Crud.GET, Crud.CREATE, Crud.DELETE}),
    group="Organizations",
    row_label=lambda invitation: invitation.email,
    list_columns=(
        "email",
        "organization_id",
        "org_role",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ),
)

# What a personal organization is, from its owner's professional category.
KIND_BY_CATEGORY = {
    "acquisition-disposition": OrganizationKind.BROKERAGE,
    "title-escrow": OrganizationKind.TITLE_ESCROW,
    "lending-financing": OrganizationKind.LENDER,
    "legal-services": OrganizationKind.LAW_FIRM,
    "construction-renovation": OrganizationKind.CONTRACTOR,
    "maintenance-services": OrganizationKind.CONTRACTOR,
    "property-management": OrganizationKind.PROPERTY_MANAGER,
    "appraisal-inspection": OrganizationKind.APPRAISAL,
}


def slugify(text: str) -> str:
    """'Acme Realty & Sons' -> 'acme-realty-sons'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[: SLUG_LENGTH - 9] or "organization"


async def free_slug(session: AsyncSession, wanted: str) -> str:
    """`wanted` if no organization has it, else `wanted-<8 hex>`."""
    taken = await session.scalar(
        select(func.count()).select_from(Organization).where(Organization.slug == wanted)
    )
    return f"{wanted}-{uuid.uuid4().hex[:8]}" if taken else wanted


async def open_personal_organization(
    session: AsyncSession, caller: Caller, *, name: str, role_id: str
) -> Organization:
    """A professional's own organization, of the kind their role's category suggests, not
    yet anyone's (the user row is made next: `join` makes them its owner)."""
    category = await session.scalar(select(UserRole.category_id).where(UserRole.id == role_id))
    organization = Organization(
        id=new_id(),
        name=name[:200],
        slug=await free_slug(session, f"{slugify(name)}-{uuid.uuid4().hex[:8]}"),
        kind=KIND_BY_CATEGORY.get(category or "", OrganizationKind.OTHER),
        is_personal=True,
        settings={},
    )
    session.add(organization)
    await crud.flush(session, Organization)
    await crud.record_change(
        session,
        caller,
        ORGANIZATIONS,
        AuditAction.CREATE,
        organization.id,
        {"name": [None, organization.name], "is_personal": [None, True]},
    )
    return organization


async def join(
    session: AsyncSession,
    caller: Caller,
    *,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    org_role: OrgRole,
    invited_by: uuid.UUID | None = None,
) -> Membership:
    """The user's membership of the organization, active from now (the caller ends the one
    before, if any, and points the user row at the organization)."""
    membership = Membership(
        user_id=user_id,
        organization_id=organization_id,
        org_role=org_role,
        status=MembershipStatus.ACTIVE,
        invited_by=invited_by,
        joined_at=utcnow(),
    )
    session.add(membership)
    await crud.flush(session, Membership)
    await crud.record_change(
        session,
        caller,
        MEMBERSHIPS,
        AuditAction.CREATE,
        membership.id,
        {
            "user_id": [None, str(user_id)],
            "organization_id": [None, str(organization_id)],
            "org_role": [None, org_role],
        },
    )
    return membership


def administered_members(user_id: uuid.UUID) -> Select[Any]:
    """The ids of the active members of every organization `user_id` administers (as an
    active owner or admin), themselves included."""
    admin = aliased(Membership)
    return (
        select(Membership.user_id)
        .join(admin, admin.organization_id == Membership.organization_id)
        .where(
            admin.user_id == user_id,
            admin.status == MembershipStatus.ACTIVE,
            admin.org_role.in_([OrgRole.OWNER, OrgRole.ADMIN]),
            Membership.status == MembershipStatus.ACTIVE,
        )
    )


async def active_owners(session: AsyncSession, organization_id: uuid.UUID) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.organization_id == organization_id,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.org_role == OrgRole.OWNER,
        )
    )
    return int(found or 0)


async def refuse_last_owner(session: AsyncSession, membership: Membership, what: str) -> None:
    """The last owner of an organization cannot leave it or stop being an owner."""
    if membership.org_role is not OrgRole.OWNER:
        return
    if await active_owners(session, membership.organization_id) <= 1:
        raise ConflictError(
            f"cannot {what}: they are the organization's last owner; appoint another owner first",
            field="org_role",
        )


@ORGANIZATIONS.action(
    "verify",
    input=OrganizationVerification,
    label="Verify",
    owns={"verified_at", "verified_by"},
    applies=lambda organization: organization.verified_at is None,
)
async def verify_organization(
    session: AsyncSession,
    caller: Caller,
    organization_id: EntityId,
    verification: OrganizationVerification,
) -> Organization:
    """Verify that the organization is who it says it is (platform administrators): from
    then on its reviewers' approvals count."""
    organization: Organization = await crud.load(session, caller, ORGANIZATIONS, organization_id)
    await authorize(session, caller, ORGANIZATIONS, PermissionAction.APPROVE, organization)
    if organization.verified_at is not None:
        return organization
    verified: Organization = await crud.apply(
        session,
        caller,
        ORGANIZATIONS,
        organization,
        {"verified_at": utcnow(), "verified_by": caller.actor.user_id},
        action=AuditAction.VERIFY,
        expected_version=verification.version,
    )
    return verified
