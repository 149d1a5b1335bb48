"""Organizations, their members, cases and participants."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import Case, CaseParticipant, Membership, Organization
from dreamery.models.enums import CaseKind, CaseRole, MembershipStatus, OrgRole
from tests.factories.base import add, now, sequence


async def organization(session: AsyncSession, **fields: Any) -> Organization:
    n = next(sequence)
    values = {"name": f"Firm {n}", "slug": f"firm-{n}-{uuid.uuid4().hex[:6]}", "settings": {}}
    return await add(session, Organization(**(values | fields)))


async def membership(session: AsyncSession, **fields: Any) -> Membership:
    values = {
        "org_role": OrgRole.MEMBER,
        "status": MembershipStatus.ACTIVE,
        "joined_at": now(),
    } | fields
    return await add(session, Membership(**values))


async def case(session: AsyncSession, **fields: Any) -> Case:
    if "organization_id" not in fields:
        fields["organization_id"] = (await organization(session)).id
    values = {"title": "12 Elm Street", "kind": CaseKind.PURCHASE, "details": {}} | fields
    return await add(session, Case(**values))


async def participant(session: AsyncSession, **fields: Any) -> CaseParticipant:
    """`case_id` and `user_id` are required; the row belongs to the case's organization."""
    found = await session.get(Case, fields["case_id"])
    assert found is not None
    values = {"case_role": CaseRole.OTHER, "organization_id": found.organization_id} | fields
    return await add(session, CaseParticipant(**values))
