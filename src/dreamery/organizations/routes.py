"""Organizations over HTTP: `/api/v1/organizations`, their `/members` (with `.../role` and
`.../remove`), `/invitations`, and `POST /api/v1/invitations/accept`."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.core.http import RESPONSES, SignedIn, mount_entity
from dreamery.organizations import members
from dreamery.organizations.schemas import InvitationAcceptance, MembershipRead
from dreamery.organizations.service import INVITATIONS, MEMBERSHIPS, ORGANIZATIONS

router = APIRouter()


@router.post(
    "/invitations/accept",
    response_model=MembershipRead,
    tags=[INVITATIONS.group],
    summary="Accept an invitation: move into its organization",
    responses=RESPONSES(401, 403, 404, 409, 422),
)
async def accept_invitation(acceptance: InvitationAcceptance, unit: SignedIn) -> MembershipRead:
    membership = await members.accept_invitation(unit.session, unit.caller, acceptance.token)
    return MembershipRead.model_validate(membership)


mount_entity(router, ORGANIZATIONS)
mount_entity(router, MEMBERSHIPS)
mount_entity(router, INVITATIONS)
