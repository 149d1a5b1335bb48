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
    OWN = "own"
    ANY = "any"


@dataclass(frozen=True)
class Actor:
    """The subject of an access decision.

    The system actor (CLI, seeder, jobs) holds every right; platform administrators too. Anyone
    else holds exactly the permissions of their role (`resource:action:scope` names).
    """

    user_id: uuid.UUID | None = None
    role_id: str | None = None
    is_admin: bool = False
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @property
    def is_privileged(self) -> bool:
        return self.is_system or self.is_admin

    @property
    def label(self) -> str:
        return SYSTEM if self.user_id is None else str(self.user_id)

    def scope(self, resource: str, action: str) -> PermissionScope | None:
        """The widest scope at which the actor may do `action` on `resource`, if any."""
        if self.is_privileged:
            return PermissionScope.ANY
        if f"{resource}:{action}:any" in self.permissions:
            return PermissionScope.ANY
        if f"{resource}:{action}:own" in self.permissions:
            return PermissionScope.OWN
        return None


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
