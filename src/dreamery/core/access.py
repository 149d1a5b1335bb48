"""Access control as data plus two functions: a SQL condition for lists, a check for one row.

`access_predicate(spec, actor, action)` selects exactly the rows `actor` may `action`, so a
list never fetches what it then hides; `authorize(...)` decides for one object. Both read the
actor's scope (`own` or `any`) for the spec's permission resource, and what "own" means from
the spec. A child row (a workflow's step, a record's evidence) is guarded by its parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core.context import Actor, Caller, PermissionAction, PermissionScope
from dreamery.core.errors import PermissionDeniedError

if TYPE_CHECKING:
    from dreamery.core.entities import EntitySpec


def _parents_action(action: PermissionAction) -> PermissionAction:
    """A child is read with its parent and changed by updating its parent."""
    return PermissionAction.READ if action is PermissionAction.READ else PermissionAction.UPDATE


def _guarding(
    spec: EntitySpec[Any, Any], action: PermissionAction
) -> tuple[EntitySpec[Any, Any], PermissionAction]:
    """The spec and action that decide: a child is read with its parent and changed by
    updating its parent."""
    if spec.parent is None:
        return spec, action
    parent, _ = spec.parent
    return _guarding(parent, _parents_action(action))


def owner_predicate(
    spec: EntitySpec[Any, Any], actor: Actor, action: PermissionAction = PermissionAction.READ
) -> ColumnElement[bool]:
    """A SQL condition selecting the rows that are `actor`'s own for `action`."""
    if spec.parent is not None:
        parent, foreign_key = spec.parent
        owned_parents = select(parent.column("id")).where(
            owner_predicate(parent, actor, _parents_action(action))
        )
        return spec.column(foreign_key).in_(owned_parents)
    owner = spec.owner_for(action)
    if owner is None:
        return false()
    value = getattr(actor, owner.actor_attr)
    if value is None:
        return false()
    predicate: ColumnElement[bool] = spec.column(owner.column) == value
    return predicate


def access_predicate(
    spec: EntitySpec[Any, Any], actor: Actor, action: PermissionAction
) -> ColumnElement[bool]:
    """A SQL condition selecting exactly the rows `actor` may `action`."""
    guard, guard_action = _guarding(spec, action)
    scope = actor.scope(guard.resource, guard_action)
    if scope is PermissionScope.ANY:
        return true()
    if scope is PermissionScope.OWN:
        return owner_predicate(spec, actor, action)
    return false()


async def _owns(
    session: AsyncSession,
    spec: EntitySpec[Any, Any],
    actor: Actor,
    obj: Any,
    action: PermissionAction,
) -> bool:
    if spec.parent is not None:
        parent, foreign_key = spec.parent
        parent_id = getattr(obj, foreign_key)
        found = await session.scalar(
            select(func.count()).where(
                parent.column("id") == parent_id,
                owner_predicate(parent, actor, _parents_action(action)),
            )
        )
        return bool(found)
    owner = spec.owner_for(action)
    if owner is None:
        return False
    value = getattr(actor, owner.actor_attr)
    return value is not None and getattr(obj, owner.column) == value


async def authorize(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    action: PermissionAction,
    obj: Any,
) -> None:
    """Raise PermissionDeniedError unless the caller may `action` this object."""
    guard, guard_action = _guarding(spec, action)
    scope = caller.actor.scope(guard.resource, guard_action)
    if scope is PermissionScope.ANY:
        return
    if scope is PermissionScope.OWN and await _owns(session, spec, caller.actor, obj, action):
        return
    raise PermissionDeniedError(
        f"not allowed to {action} this {spec.label}",
        resource=spec.name,
        action=str(action),
        resource_id=str(getattr(obj, "id", "")),
    )


def refuse_own(caller: Caller, spec: EntitySpec[Any, Any], obj: Any, verb: str) -> None:
    """Nobody reviews their own work: refuse when the row is the acting user's own, as the
    spec's ownership defines it."""
    if spec.owner is None:
        raise TypeError(f"{spec.name} declares no owner: whose own would it be?")
    mine = getattr(caller.actor, spec.owner.actor_attr)
    if mine is not None and getattr(obj, spec.owner.column, None) == mine:
        raise PermissionDeniedError(
            f"you cannot {verb} your own {spec.label}; another reviewer must",
            resource=spec.name,
            action=verb,
            resource_id=str(getattr(obj, "id", "")),
        )


def check_fields(caller: Caller, spec: EntitySpec[Any, Any], changes: Mapping[str, Any]) -> None:
    """Refuse changes to fields above the caller's standing (no self-promotion)."""
    actor = caller.actor
    for name in changes:
        if name in spec.admin_fields and not actor.is_privileged:
            raise PermissionDeniedError(f"only an administrator may set {name}", field=name)
        if (
            name in spec.guarded_fields
            and actor.scope(spec.resource, PermissionAction.UPDATE) is not PermissionScope.ANY
        ):
            raise PermissionDeniedError(
                f"changing {name} needs {spec.resource}:update:any", field=name
            )


__all__ = [
    "access_predicate",
    "authorize",
    "check_fields",
    "owner_predicate",
    "refuse_own",
]
