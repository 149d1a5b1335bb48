"""Who is acting, and from where: threaded through every service call.

A permission is `resource:action:scope`. The resources are the domains' to name; the actions
and scopes are the vocabulary every access decision shares, so they are defined here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

SYSTEM = "system"


class PermissionAction(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    APPROVE = "approve"


class PermissionScope(StrEnum):
    """How far a permission reaches: the actor's own rows, the rows of the cases they take
    part in, their organization's rows, or every row."""

    OWN = "own"
    CASE = "case"
    ORG = "org"
    ANY = "any"


# Widest first: what `Actor.scope` answers when several are held.
_WIDEST_FIRST = (
    PermissionScope.ANY,
    PermissionScope.ORG,
    PermissionScope.CASE,
    PermissionScope.OWN,
)


@dataclass(frozen=True)
class Actor:
    """The subject of an access decision.

    The system actor (CLI, seeder, jobs) holds every right; platform administrators too. Anyone
    else holds exactly the permissions their professional role and their standing in their
    organization (`org_role`) grant them (`resource:action:scope` names).
    """

    user_id: uuid.UUID | None = None
    role_id: str | None = None
    is_admin: bool = False
    permissions: frozenset[str] = field(default_factory=frozenset)
    organization_id: uuid.UUID | None = None
    org_role: str | None = None

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @property
    def is_privileged(self) -> bool:
        return self.is_system or self.is_admin

    @property
    def label(self) -> str:
        return SYSTEM if self.user_id is None else str(self.user_id)

    def scopes(self, resource: str, action: str) -> frozenset[PermissionScope]:
        """Every scope at which the actor may do `action` on `resource` (none: not at all).
        `case` and `org` reach different rows, so a decision considers each one held."""
        if self.is_privileged or f"{resource}:{action}:any" in self.permissions:
            return frozenset({PermissionScope.ANY})
        return frozenset(
            scope for scope in PermissionScope if f"{resource}:{action}:{scope}" in self.permissions
        )

    def scope(self, resource: str, action: str) -> PermissionScope | None:
        """The widest scope at which the actor may do `action` on `resource`, if any."""
        held = self.scopes(resource, action)
        return next((scope for scope in _WIDEST_FIRST if scope in held), None)


SYSTEM_ACTOR = Actor()


@dataclass(frozen=True)
class RequestContext:
    """Where a change came from, for the audit trail."""

    request_id: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Caller:
    """Who acts and from where: what every domain operation takes after the session."""

    actor: Actor
    request: RequestContext = field(default_factory=RequestContext)


__all__ = [
    "SYSTEM_ACTOR",
    "Actor",
    "Caller",
    "PermissionAction",
    "PermissionScope",
    "RequestContext",
]
