"""People: users and their profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import User, UserProfile
from dreamery.models.enums import OrgRole
from tests.factories.base import ROLE, add, now, organization_of, sequence
from tests.factories.organizations import membership, organization


async def user(session: AsyncSession, *, org_role: OrgRole = OrgRole.OWNER, **fields: Any) -> User:
    """A verified professional; in a personal organization of their own (its owner) unless
    `organization_id` names one (then `org_role` is their standing in it)."""
    n = next(sequence)
    if "organization_id" not in fields:
        fields["organization_id"] = (await organization(session, is_personal=True)).id
    values = {
        "email": f"person{n}@example.com",
        "first_name": "Pat",
        "last_name": f"Tester{n}",
        "role_id": ROLE,
        "role_verified_at": now(),
    } | fields
    made = await add(session, User(**values))
    await membership(
        session, user_id=made.id, organization_id=made.organization_id, org_role=org_role
    )
    return made


async def profile(session: AsyncSession, **fields: Any) -> UserProfile:
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    fields.setdefault("organization_id", await organization_of(session, fields["user_id"]))
    return await add(session, UserProfile(**({"company": "Acme Realty"} | fields)))
