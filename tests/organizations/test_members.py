"""Organizations and their members: an invitation moves a member (the old membership kept
as history), only an owner appoints, the last owner stays, and another organization's
members are not found."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from dreamery import DatabaseService
from dreamery.core.errors import (
    ConflictError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from dreamery.core.types import utcnow
from dreamery.models import Invitation
from dreamery.organizations.members import token_hash

pytestmark = pytest.mark.usefixtures("backend")


async def person(db: DatabaseService, role: str = "real-estate-agent", name: str = "Pat") -> Any:
    return await db.create_user(
        {
            "email": f"{name.lower()}.{uuid.uuid4().hex[:8]}@example.com",
            "first_name": name,
            "last_name": "Tester",
            "role_id": role,
        }
    )


async def brokerage(db: DatabaseService, owner: Any) -> Any:
    return await db.acting_as(owner.id).create_organization(
        {"name": "Harbor Realty", "kind": "brokerage"}
    )


async def test_everyone_starts_as_the_owner_of_a_personal_organization(
    db: DatabaseService,
) -> None:
    agent = await person(db)
    home = await db.find_organization_by_id(agent.organization_id)
    assert (home.is_personal, home.kind, home.name) == (True, "brokerage", "Pat Tester")
    (membership,) = (await db.find_memberships(user_id=agent.id)).items
    assert (membership.org_role, membership.status) == ("owner", "active")
    with pytest.raises(ConflictError, match="personal organization cannot be left"):
        await db.acting_as(agent.id).remove_member(membership.id)


async def test_an_invitation_moves_a_member_and_keeps_the_history(db: DatabaseService) -> None:
    broker, agent = await person(db, "real-estate-broker", "Bea"), await person(db)
    task = await db.acting_as(agent.id).create_task(
        {"title": "Call", "role_id": agent.role_id, "user_id": str(agent.id)}
    )
    firm = await brokerage(db, broker)
    assert (await db.find_user_by_id(broker.id)).organization_id == firm.id
    as_broker = db.acting_as(broker.id)
    invitation = await as_broker.create_invitation({"email": agent.email.upper()})
    assert invitation.token and invitation.email.lower() == agent.email
    # The token is shown once: the hub keeps only its hash.
    assert (await as_broker.find_invitation_by_id(invitation.id)).token is None
    async with db.unit(write=False) as unit:
        stored = await unit.session.scalar(
            select(Invitation.token_hash).where(Invitation.id == invitation.id)
        )
    assert stored == token_hash(invitation.token) != invitation.token

    # Someone else cannot use it, and a made-up token opens nothing.
    other = await person(db, name="Olly")
    with pytest.raises(PermissionDeniedError, match="another e-mail"):
        await db.acting_as(other.id).accept_invitation(invitation.token)
    with pytest.raises(NotFoundError):
        await db.acting_as(agent.id).accept_invitation("x" * 43)

    moved = await db.acting_as(agent.id).accept_invitation(invitation.token)
    assert (moved.organization_id, moved.org_role, moved.invited_by) == (
        firm.id,
        "member",
        broker.id,
    )
    assert (await db.find_user_by_id(agent.id)).organization_id == firm.id
    history = (await db.find_memberships(user_id=agent.id, sort="joined_at")).items
    assert sorted((m.status, m.organization_id == firm.id) for m in history) == [
        ("active", True),
        ("removed", False),
    ]
    # The work done before stays with the organization it was done for.
    assert (await db.find_task_by_id(task.id)).organization_id == agent.organization_id
    with pytest.raises(NotFoundError):  # single use
        await db.acting_as(agent.id).accept_invitation(invitation.token)
    trail = await db.find_audit_logs(resource="invitation", resource_id=str(invitation.id))
    assert "accept" in [row.action for row in trail.items]


async def test_an_expired_or_revoked_invitation_opens_nothing(db: DatabaseService) -> None:
    owner, late, revoked = await person(db), await person(db), await person(db)
    await brokerage(db, owner)
    as_owner = db.acting_as(owner.id)
    expired = await as_owner.create_invitation({"email": late.email})
    async with db.transaction() as tx, tx.unit() as unit:
        await unit.session.execute(
            update(Invitation)
            .where(Invitation.id == expired.id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    assert expired.token is not None
    with pytest.raises(NotFoundError, match="expired"):
        await db.acting_as(late.id).accept_invitation(expired.token)
    withdrawn = await as_owner.create_invitation({"email": revoked.email})
    assert (await as_owner.delete_invitation(withdrawn.id)).revoked_at is not None
    assert withdrawn.token is not None
    with pytest.raises(NotFoundError):
        await db.acting_as(revoked.id).accept_invitation(withdrawn.token)


async def test_only_an_owner_appoints_and_the_last_owner_stays(db: DatabaseService) -> None:
    owner, admin, agent = await person(db), await person(db), await person(db)
    firm = await brokerage(db, owner)
    as_owner = db.acting_as(owner.id)
    for member, standing in ((admin, "admin"), (agent, "member")):
        invitation = await as_owner.create_invitation({"email": member.email, "org_role": standing})
        assert invitation.token is not None
        await db.acting_as(member.id).accept_invitation(invitation.token)
    as_admin = db.acting_as(admin.id)
    # An admin manages members, but appoints nobody.
    with pytest.raises(PermissionDeniedError, match="only an owner"):
        await as_admin.create_invitation({"email": "rev@example.com", "org_role": "reviewer"})
    (agents,) = (await as_admin.find_memberships(user_id=agent.id, status="active")).items
    with pytest.raises(PermissionDeniedError, match="only an owner"):
        await as_admin.change_org_role(agents.id, "reviewer")
    appointed = await as_owner.change_org_role(agents.id, "reviewer")
    assert appointed.org_role == "reviewer"
    # The last owner can neither step down nor leave...
    (owners,) = (await as_owner.find_memberships(user_id=owner.id, status="active")).items
    with pytest.raises(ConflictError, match="last owner"):
        await as_owner.change_org_role(owners.id, "member")
    with pytest.raises(ConflictError, match="last owner"):
        await as_owner.remove_member(owners.id)
    # ... until there is another.
    (admins,) = (await as_owner.find_memberships(user_id=admin.id, status="active")).items
    await as_owner.change_org_role(admins.id, "owner")
    left = await as_owner.remove_member(owners.id)
    assert (left.status, left.ended_at is not None) == ("removed", True)
    gone = await db.find_user_by_id(owner.id)
    assert gone.organization_id != firm.id
    assert (await db.find_organization_by_id(gone.organization_id)).is_personal


async def test_a_member_leaves_for_an_organization_of_their_own(db: DatabaseService) -> None:
    owner, agent = await person(db), await person(db)
    firm = await brokerage(db, owner)
    invitation = await db.acting_as(owner.id).create_invitation({"email": agent.email})
    assert invitation.token is not None
    as_agent = db.acting_as(agent.id)
    joined = await as_agent.accept_invitation(invitation.token)
    left = await as_agent.remove_member(joined.id)
    assert left.status == "removed"
    now = await db.find_user_by_id(agent.id)
    assert now.organization_id != firm.id
    assert (await db.find_organization_by_id(now.organization_id)).is_personal


async def test_another_organizations_members_are_not_found(db: DatabaseService) -> None:
    first, second = await person(db), await person(db)
    await brokerage(db, first)
    other = await db.acting_as(second.id).create_organization({"name": "Elsewhere Realty"})
    (theirs,) = (await db.find_memberships(user_id=second.id, status="active")).items
    as_first = db.acting_as(first.id)
    with pytest.raises(NotFoundError):
        await as_first.find_membership_by_id(theirs.id)
    with pytest.raises(NotFoundError):
        await as_first.remove_member(theirs.id)
    listed = await as_first.find_memberships(organization_id=other.id, with_total=True)
    assert (listed.items, listed.total) == ([], 0)
    with pytest.raises(NotFoundError):
        await as_first.find_organization_by_id(other.id)
    # An invitation always goes into one's own organization.
    invitation = await as_first.create_invitation(
        {"email": "x@example.com", "organization_id": str(other.id)}
    )
    assert (
        invitation.organization_id == first.organization_id
        or invitation.organization_id != other.id
    )


async def test_an_organization_is_made_with_a_clear_answer_to_bad_input(
    db: DatabaseService,
) -> None:
    owner = await person(db)
    with pytest.raises(ValidationError) as refused:
        await db.acting_as(owner.id).create_organization({"name": " ", "kind": "bank"})
    assert {e.field for e in refused.value.errors} == {"name", "kind"}
    made = await db.create_organization({"name": "Acme Title & Escrow", "kind": "title-escrow"})
    assert made.slug == "acme-title-escrow" and not made.is_personal
    with pytest.raises(DuplicateError, match="slug") as taken:
        await db.create_organization({"name": "Acme", "slug": made.slug})
    assert taken.value.field == "slug"
