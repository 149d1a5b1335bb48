"""The facade's organizations, their members and invitations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.models.enums import OrgRole
from dreamery.organizations import members
from dreamery.organizations import service as organizations
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
)

ORGANIZATIONS = organizations.ORGANIZATIONS
MEMBERSHIPS = organizations.MEMBERSHIPS
INVITATIONS = organizations.INVITATIONS


class OrganizationsFacade(FacadeBase):
    async def create_organization(
        self, data: OrganizationCreate | Mapping[str, object]
    ) -> OrganizationRead:
        """A new organization; whoever makes it becomes its owner and moves into it."""
        return await self.create(ORGANIZATIONS, data)

    async def find_organization_by_id(
        self, organization_id: EntityId, *, include_deleted: bool = False
    ) -> OrganizationRead:
        return await self.get(ORGANIZATIONS, organization_id, include_deleted=include_deleted)

    async def find_organizations(
        self,
        *,
        sort: OrganizationSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[OrganizationFilters],
    ) -> Page[OrganizationRead]:
        return await self.find(
            ORGANIZATIONS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def update_organization(
        self,
        organization_id: EntityId,
        data: OrganizationUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> OrganizationRead:
        return await self.update(
            ORGANIZATIONS, organization_id, data, expected_version=expected_version
        )

    async def verify_organization(
        self, organization_id: EntityId, *, expected_version: int | None = None
    ) -> OrganizationRead:
        """A platform administrator's check: from then on its reviewers' approvals count."""
        return await self.perform(
            ORGANIZATIONS,
            organizations.verify_organization,
            organization_id,
            {"version": expected_version},
        )

    async def delete_organization(
        self, organization_id: EntityId, *, expected_version: int | None = None
    ) -> OrganizationRead:
        return await self.delete(ORGANIZATIONS, organization_id, expected_version=expected_version)

    async def restore_organization(self, organization_id: EntityId) -> OrganizationRead:
        return await self.restore(ORGANIZATIONS, organization_id)

    async def purge_organization(self, organization_id: EntityId) -> None:
        await self.purge(ORGANIZATIONS, organization_id)

    async def find_membership_by_id(self, membership_id: EntityId) -> MembershipRead:
        return await self.get(MEMBERSHIPS, membership_id)

    async def find_memberships(
        self,
        *,
        sort: MembershipSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[MembershipFilters],
    ) -> Page[MembershipRead]:
        """Memberships, past and present (`status`), of the organizations one may see."""
        return await self.find(
            MEMBERSHIPS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def add_member(
        self,
        organization_id: EntityId,
        user_id: EntityId,
        *,
        org_role: OrgRole | str = OrgRole.MEMBER,
    ) -> MembershipRead:
        """Move a user into an organization (platform administrators; others invite)."""
        async with self.unit() as unit:
            membership = await members.add_member(
                unit.session, unit.caller, organization_id, user_id, OrgRole(org_role)
            )
            return MembershipRead.model_validate(membership)

    async def change_org_role(
        self,
        membership_id: EntityId,
        org_role: OrgRole | str,
        *,
        expected_version: int | None = None,
    ) -> MembershipRead:
        """A member's new standing; only an owner appoints admins, reviewers and owners."""
        return await self.perform(
            MEMBERSHIPS,
            members.change_org_role,
            membership_id,
            {"org_role": org_role, "version": expected_version},
        )

    async def remove_member(
        self, membership_id: EntityId, *, expected_version: int | None = None
    ) -> MembershipRead:
        """End a membership: the member goes on in a personal organization."""
        return await self.perform(
            MEMBERSHIPS, members.remove_member, membership_id, {"version": expected_version}
        )

    async def create_invitation(
        self, data: InvitationCreate | Mapping[str, object]
    ) -> InvitationRead:
        """An invitation into one's organization; the answer holds its token, once."""
        return await self.create(INVITATIONS, data)

    async def find_invitation_by_id(self, invitation_id: EntityId) -> InvitationRead:
        return await self.get(INVITATIONS, invitation_id)

    async def find_invitations(
        self,
        *,
        sort: InvitationSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[InvitationFilters],
    ) -> Page[InvitationRead]:
        return await self.find(
            INVITATIONS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def delete_invitation(
        self, invitation_id: EntityId, *, expected_version: int | None = None
    ) -> InvitationRead:
        """Revoke an invitation not yet accepted."""
        return await self.delete(INVITATIONS, invitation_id, expected_version=expected_version)

    async def accept_invitation(self, token: str) -> MembershipRead:
        """Accept an invitation as the acting user: they move into its organization."""
        async with self.unit() as unit:
            membership = await members.accept_invitation(unit.session, unit.caller, token)
            return MembershipRead.model_validate(membership)
