"""Putting test professionals in one organization, as the hub does it: the first makes the
organization (becoming its owner), a platform administrator verifies it, and the others
accept the owner's invitations."""

from __future__ import annotations

from typing import Any

from dreamery import DatabaseService
from dreamery.organizations.schemas import OrganizationRead


async def firm(
    db: DatabaseService,
    owner: Any,
    *members: Any,
    kind: str = "brokerage",
    roles: dict[Any, str] | None = None,
    verified: bool = True,
) -> OrganizationRead:
    """`owner` and `members` (users) in one organization; `roles` gives a member a standing
    other than `member` (by user id)."""
    organization = await db.create_organization(
        {"name": f"{owner.last_name} {kind.title()}", "kind": kind, "owner_id": str(owner.id)}
    )
    if verified:
        organization = await db.verify_organization(organization.id)
    as_owner = db.acting_as(owner.id)
    for member in members:
        standing = (roles or {}).get(member.id, "member")
        invitation = await as_owner.create_invitation({"email": member.email, "org_role": standing})
        assert invitation.token is not None
        await db.acting_as(member.id).accept_invitation(invitation.token)
    return organization
