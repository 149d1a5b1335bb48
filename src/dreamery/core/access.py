"""Access control as data plus two functions: a SQL condition for lists, a check for one row.

`access_predicate(spec, actor, action)` selects exactly the rows `actor` may `action`, so a
list never fetches what it then hides; `authorize(...)` decides for one object. Both read the
scopes the actor holds for the spec's permission resource, each reaching its own rows:

- `own`: the rows the spec's `Ownership` names the actor's;
- `case`: the rows of the cases the actor takes part in (the spec's `case_column`);
- `org`: the rows of the actor's organization (the spec's `Tenancy`);
- `any`: every row.

A child row (a workflow's step, a record's evidence) is guarded by its parent. Who takes part
in which case is the cases domain's to say: it registers the query with `cases_taken_part_in`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core.context import Actor, Caller, PermissionAction, PermissionScope
from dreamery.core.errors import PermissionDeniedError

if TYPE_CHECKING:
    from dreamery.core.entities import EntitySpec

CaseIds = Callable[[uuid.UUID], Select[Any]]
_participation: list[CaseIds] = []


def cases_taken_part_in(query: CaseIds) -> None:
    """Register `query(user_id)`: the ids of the cases a user takes part in."""
    _participation[:] = [query]


def case_ids(actor: Actor) -> Select[Any] | None:
    """The ids of the cases the actor takes part in, as a query (None: no cases known)."""
    if actor.user_id is None or not _participation:
        return None
    return _participation[0](actor.user_id)


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


def _tenant_visible(spec: EntitySpec[Any, Any], actor: Actor) -> ColumnElement[bool]:
    """Everyone's rows, and the actor's organization's."""
    if spec.tenancy is None:
        return true()
    column = spec.column(spec.tenancy.column)
    if actor.organization_id is None:
        return column.is_(None)
    return or_(column.is_(None), column == actor.organization_id)


def owner_predicate(
    spec: EntitySpec[Any, Any], actor: Actor, action: PermissionAction = PermissionAction.READ
) -> ColumnElement[bool]:
    """A SQL condition selecting the rows that are `actor`'s own for `action`."""
    if spec.parent is not None:
        return _through_parent(spec, actor, action, PermissionScope.OWN)
    owner = spec.owner_for(action)
    if owner is None:
        return false()
    value = getattr(actor, owner.actor_attr)
    if value is None:
        return false()
    predicate: ColumnElement[bool] = spec.column(owner.column) == value
    if owner.per_organization:
        predicate = predicate & _tenant_visible(spec, actor)
    return predicate


def _through_parent(
    spec: EntitySpec[Any, Any], actor: Actor, action: PermissionAction, scope: PermissionScope
) -> ColumnElement[bool]:
    assert spec.parent is not None
    parent, foreign_key = spec.parent
    parents = select(parent.column("id")).where(
        scope_predicate(parent, actor, _parents_action(action), scope)
    )
    return spec.column(foreign_key).in_(parents)


def scope_predicate(
    spec: EntitySpec[Any, Any], actor: Actor, action: PermissionAction, scope: PermissionScope
) -> ColumnElement[bool]:
    """A SQL condition selecting the rows one scope reaches."""
    if scope is PermissionScope.ANY:
        return true()
    if scope is PermissionScope.OWN:
        return owner_predicate(spec, actor, action)
    if spec.parent is not None:
        return _through_parent(spec, actor, action, scope)
    if scope is PermissionScope.ORG:
        if spec.tenancy is None or actor.organization_id is None:
            return false()
        return spec.column(spec.tenancy.column) == actor.organization_id
    cases = case_ids(actor)
    if spec.case_column is None or cases is None:
        return false()
    return spec.column(spec.case_column).in_(cases)


def access_predicate(
    spec: EntitySpec[Any, Any], actor: Actor, action: PermissionAction
) -> ColumnElement[bool]:
    """A SQL condition selecting exactly the rows `actor` may `action`."""
    guard, guard_action = _guarding(spec, action)
    held = actor.scopes(guard.resource, guard_action)
    if PermissionScope.ANY in held:
        return true()
    reaches = [scope_predicate(spec, actor, action, scope) for scope in sorted(held)]
    return or_(*reaches) if reaches else false()


async def _reaches(
    session: AsyncSession,
    spec: EntitySpec[Any, Any],
    actor: Actor,
    obj: Any,
    action: PermissionAction,
    scope: PermissionScope,
) -> bool:
    """Whether one scope reaches this (possibly unsaved) object."""
    if scope is PermissionScope.ANY:
        return True
    if spec.parent is not None:
        parent, foreign_key = spec.parent
        found = await session.scalar(
            select(func.count()).where(
                parent.column("id") == getattr(obj, foreign_key),
                scope_predicate(parent, actor, _parents_action(action), scope),
            )
        )
        return bool(found)
    if scope is PermissionScope.OWN:
        owner = spec.owner_for(action)
        if owner is None:
            return False
        value = getattr(actor, owner.actor_attr)
        if value is None or getattr(obj, owner.column) != value:
            return False
        if owner.per_organization and spec.tenancy is not None:
            organization = getattr(obj, spec.tenancy.column)
            return organization is None or organization == actor.organization_id
        return True
    if scope is PermissionScope.ORG:
        return (
            spec.tenancy is not None
            and actor.organization_id is not None
            and getattr(obj, spec.tenancy.column) == actor.organization_id
        )
    cases = case_ids(actor)
    case_id = getattr(obj, spec.case_column) if spec.case_column is not None else None
    if case_id is None or cases is None:
        return False
    found = await session.scalar(
        select(func.count()).select_from(
            cases.where(cases.selected_columns[0] == case_id).subquery()
        )
    )
    return bool(found)


async def reaches(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    action: PermissionAction,
    obj: Any,
) -> bool:
    """Whether the caller may `action` this object (see `authorize`)."""
    guard, guard_action = _guarding(spec, action)
    for scope in sorted(caller.actor.scopes(guard.resource, guard_action), reverse=True):
        if await _reaches(session, spec, caller.actor, obj, action, scope):
            return True
    return False


async def authorize(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    action: PermissionAction,
    obj: Any,
) -> None:
    """Raise PermissionDeniedError unless the caller may `action` this object, naming the
    permission that would allow it."""
    if await reaches(session, caller, spec, action, obj):
        return
    permission = await needed_permission(session, caller, spec, action, obj)
    guard, guard_action = _guarding(spec, action)
    held = sorted(caller.actor.scopes(guard.resource, guard_action))
    holding = (
        f" (you hold {_either(f'{guard.resource}:{guard_action}:{scope}' for scope in held)}, "
        "which does not reach it)"
        if held
        else ""
    )
    raise PermissionDeniedError(
        f"you need the permission '{permission}' to {action} this {spec.label}{holding}",
        permission=permission,
        resource=spec.name,
        action=str(action),
        resource_id=str(getattr(obj, "id", "")),
    )


async def needed_permission(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    action: PermissionAction,
    obj: Any,
) -> str:
    """The narrowest permission (`resource:action:scope`) that would let the caller `action`
    this object: the first scope, from `own` to `any`, that reaches it."""
    guard, guard_action = _guarding(spec, action)
    held = caller.actor.scopes(guard.resource, guard_action)
    for scope in _NARROWEST_FIRST:
        if scope not in held and await _reaches(session, spec, caller.actor, obj, action, scope):
            return f"{guard.resource}:{guard_action}:{scope}"
    return f"{guard.resource}:{guard_action}:{PermissionScope.ANY}"


_NARROWEST_FIRST = (
    PermissionScope.OWN,
    PermissionScope.CASE,
    PermissionScope.ORG,
    PermissionScope.ANY,
)


def _either(names: Any) -> str:
    listed = list(names)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"


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
            raise PermissionDeniedError(
                f"only a platform administrator may set {name}",
                permission="administrator",
                field=name,
            )
        if (
            name in spec.guarded_fields
            and actor.scope(spec.resource, PermissionAction.UPDATE) is not PermissionScope.ANY
        ):
            permission = f"{spec.resource}:update:any"
            raise PermissionDeniedError(
                f"you need the permission '{permission}' to change {name}",
                permission=permission,
                field=name,
            )


__all__ = [
    "access_predicate",
    "authorize",
    "case_ids",
    "cases_taken_part_in",
    "check_fields",
    "needed_permission",
    "owner_predicate",
    "reaches",
    "refuse_own",
    "scope_predicate",
]
