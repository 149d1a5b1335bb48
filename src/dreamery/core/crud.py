"""The one write path and the one read path every entity shares.

An `EntitySpec` says, as data, what a table is to the service layer: its schemas, the
permission resource that guards it, what "own" means for it, which fields filter and sort.
The functions below do the rest the same way for every entity: validate, authorize (rows
and fields), change, write the audit row, return a Read schema, all in the caller's
transaction (flush, never commit).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import (
    Column,
    ColumnElement,
    PrimaryKeyConstraint,
    Select,
    Table,
    UniqueConstraint,
    false,
    func,
    inspect,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import visitors

from dreamery.audit import service as audit
from dreamery.core.context import Actor, RequestContext
from dreamery.core.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from dreamery.core.pagination import (
    DEFAULT_LIMIT,
    Page,
    check_limit,
    decode_cursor,
    encode_cursor,
)
from dreamery.core.types import utcnow
from dreamery.models.base import Base
from dreamery.models.enums import AuditAction, PermissionAction, PermissionScope, Resource

M = TypeVar("M", bound=Base)
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Ownership:
    """Rows the actor owns: `model.<column> == actor.<actor_attr>` (user_id or role_id)."""

    column: str
    actor_attr: str = "user_id"


@dataclass(frozen=True)
class Caller:
    actor: Actor
    request: RequestContext = field(default_factory=RequestContext)


@dataclass(frozen=True)
class EntitySpec(Generic[M, R]):
    name: str
    model: type[M]
    resource: Resource
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    read_schema: type[R]
    owner: Ownership | None = None
    # Children are guarded by their parent: (parent spec, foreign key to it).
    parent: tuple[EntitySpec[Any, Any], str] | None = None
    filters: frozenset[str] = frozenset()
    sorts: frozenset[str] = frozenset({"created_at"})
    default_sort: str = "created_at"
    descending: bool = True
    # Fields only an actor with `<resource>:update:any` may set (no self-promotion).
    guarded_fields: frozenset[str] = frozenset()
    admin_fields: frozenset[str] = frozenset()
    # Fields set by the service (from the actor), never by input.
    stamp: Callable[[Actor], dict[str, Any]] | None = None

    @property
    def soft_deletes(self) -> bool:
        return hasattr(self.model, "deleted_at")

    @property
    def versioned(self) -> bool:
        return hasattr(self.model, "version")

    def column(self, name: str) -> InstrumentedAttribute[Any]:
        attribute = getattr(self.model, name)
        assert isinstance(attribute, InstrumentedAttribute)
        return attribute


# --- access control ---------------------------------------------------------------------------


def _guarding(spec: EntitySpec[Any, Any], action: PermissionAction) -> tuple[Any, PermissionAction]:
    """The spec and action that decide: a child is read with its parent and changed by
    updating its parent."""
    if spec.parent is None:
        return spec, action
    parent, _ = spec.parent
    return _guarding(
        parent,
        PermissionAction.READ if action is PermissionAction.READ else PermissionAction.UPDATE,
    )


def owner_predicate(spec: EntitySpec[Any, Any], actor: Actor) -> ColumnElement[bool]:
    if spec.parent is not None:
        parent, foreign_key = spec.parent
        owned_parents = select(parent.column("id")).where(owner_predicate(parent, actor))
        return spec.column(foreign_key).in_(owned_parents)
    if spec.owner is None:
        return false()
    value = getattr(actor, spec.owner.actor_attr)
    if value is None:
        return false()
    predicate: ColumnElement[bool] = spec.column(spec.owner.column) == value
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
        return owner_predicate(spec, actor)
    return false()


async def _owns(session: AsyncSession, spec: EntitySpec[Any, Any], actor: Actor, obj: Any) -> bool:
    if spec.parent is not None:
        parent, foreign_key = spec.parent
        parent_id = getattr(obj, foreign_key)
        found = await session.scalar(
            select(func.count()).where(
                parent.column("id") == parent_id, owner_predicate(parent, actor)
            )
        )
        return bool(found)
    if spec.owner is None:
        return False
    value = getattr(actor, spec.owner.actor_attr)
    return value is not None and getattr(obj, spec.owner.column) == value


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
    if scope is PermissionScope.OWN and await _owns(session, spec, caller.actor, obj):
        return
    raise PermissionDeniedError(
        f"not allowed to {action} this {spec.name.replace('_', ' ')}",
        resource=spec.name,
        action=str(action),
        resource_id=str(getattr(obj, "id", "")),
    )


def _check_fields(caller: Caller, spec: EntitySpec[Any, Any], changes: Mapping[str, Any]) -> None:
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


# --- validation and integrity -------------------------------------------------------------


def parse(schema: type[BaseModel], data: Mapping[str, Any] | BaseModel) -> BaseModel:
    if isinstance(data, schema):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump(exclude_unset=True)
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        raise ValidationError(
            [
                FieldError(".".join(str(p) for p in e["loc"]) or "(input)", e["msg"], e["type"])
                for e in error.errors()
            ]
        ) from None


async def check_references(
    session: AsyncSession, model: type[Base], values: Mapping[str, Any]
) -> None:
    """Name the field whose reference points nowhere (SQLite's own error does not)."""
    errors = []
    for column in model.__table__.columns:
        value = values.get(column.key)
        if value is None or not column.foreign_keys:
            continue
        target = next(iter(column.foreign_keys)).column
        found = await session.scalar(select(func.count()).where(target == value))
        if not found:
            errors.append(
                FieldError(
                    column.key, f"no {target.table.name} row with id {value}", "missing_reference"
                )
            )
    if errors:
        raise ValidationError(errors)


def _unique_field(error: IntegrityError, model: type[Base]) -> str | None:
    """The field a unique index or constraint violated by `error` is about, if any."""
    text = str(error.orig)
    table = model.__table__
    assert isinstance(table, Table)
    for index in table.indexes:
        if index.unique and index.name and index.name in text:
            columns = [c.key for c in index.columns] or [
                element.key
                for expression in index.expressions
                for element in visitors.iterate(expression)  # type: ignore[arg-type]
                if isinstance(element, Column)
            ]
            return columns[0] if columns else None
    for constraint in table.constraints:
        if not isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint):
            continue
        keys = [c.key for c in constraint.columns]
        named = isinstance(constraint.name, str) and constraint.name in text
        if keys and (named or all(f"{table.name}.{k}" in text for k in keys)):
            return str(keys[-1])
    return None


async def flush(session: AsyncSession, model: type[Base]) -> None:
    # No savepoint: a failed flush ends the unit of work, which rolls back as a whole.
    try:
        await session.flush()
    except IntegrityError as error:
        field_name = _unique_field(error, model)
        if field_name is not None:
            raise ValidationError(
                [FieldError(field_name, "is already in use", "unique")],
                message=f"{field_name}: is already in use",
            ) from None
        raise ConflictError(f"{model.__tablename__}: {error.orig}") from None
    except DataError as error:
        # The schemas bound every value; this is the net under them (e.g. a new column).
        reason = str(error.orig).splitlines()[0] if error.orig else "value out of range"
        raise ValidationError(
            [FieldError(model.__tablename__, f"a value does not fit its column: {reason}")]
        ) from None


# --- reads ---------------------------------------------------------------------------------


def visible_conditions(
    spec: EntitySpec[Any, Any], actor: Actor, include_deleted: bool
) -> list[Any]:
    conditions: list[Any] = [access_predicate(spec, actor, PermissionAction.READ)]
    if spec.soft_deletes and not include_deleted:
        conditions.append(spec.column("deleted_at").is_(None))
    if include_deleted and not actor.is_privileged:
        raise PermissionDeniedError("only administrators may see deleted records")
    return conditions


async def load(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[M, Any],
    entity_id: Any,
    *,
    include_deleted: bool = False,
    options: Sequence[Any] = (),
    for_update: bool = False,
) -> M:
    """The row, if it exists and the caller may read it; otherwise NotFoundError, so that
    what one may not see cannot be told apart from what does not exist."""
    key = _coerce_id(spec, entity_id)
    statement = select(spec.model).where(
        spec.column("id") == key, *visible_conditions(spec, caller.actor, include_deleted)
    )
    if options:
        statement = statement.options(*options)
    if for_update:
        statement = statement.with_for_update()
    obj = (await session.scalars(statement)).one_or_none()
    if obj is None:
        raise NotFoundError(
            f"no {spec.name.replace('_', ' ')} with id {entity_id}",
            resource=spec.name,
            id=str(entity_id),
        )
    return obj


def _coerce_id(spec: EntitySpec[Any, Any], entity_id: Any) -> Any:
    python_type = inspect(spec.model).primary_key[0].type.python_type
    if python_type is uuid.UUID and not isinstance(entity_id, uuid.UUID):
        try:
            return uuid.UUID(str(entity_id))
        except ValueError:
            raise NotFoundError(f"no {spec.name.replace('_', ' ')} with id {entity_id}") from None
    return entity_id


def read(spec: EntitySpec[Any, R], obj: Any) -> R:
    return spec.read_schema.model_validate(obj)


async def find(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, R],
    *,
    filters: Mapping[str, Any] | None = None,
    where: Sequence[ColumnElement[bool]] = (),
    sort: str | None = None,
    descending: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    with_total: bool = False,
    include_deleted: bool = False,
    options: Sequence[Any] = (),
    read_schema: type[BaseModel] | None = None,
) -> Page[Any]:
    """A keyset page: (sort column, id) after the cursor, so page 1,000 costs what page 1 does."""
    limit = check_limit(limit)
    sort = sort or spec.default_sort
    if sort not in spec.sorts:
        raise ValidationError([FieldError("sort", f"must be one of {sorted(spec.sorts)}")])
    descending = spec.descending if descending is None else descending
    conditions = [*visible_conditions(spec, caller.actor, include_deleted), *where]
    for name, value in (filters or {}).items():
        if name not in spec.filters:
            raise ValidationError(
                [
                    FieldError(
                        name,
                        f"cannot filter {spec.name} by {name}; filters: {sorted(spec.filters)}",
                    )
                ]
            )
        if value is not None:
            conditions.append(spec.column(name) == value)
    sort_column, id_column = spec.column(sort), spec.column("id")
    statement: Select[Any] = select(spec.model).where(*conditions)
    if cursor:
        after_value, after_id = decode_cursor(cursor, f"{spec.name}:{sort}:{descending}")
        # A row-value comparison, (sort, id) < (after_sort, after_id), which both databases
        # answer from a (sort, id) index: page 1,000 costs what page 1 costs.
        key = tuple_(sort_column, id_column)
        bound = tuple_(literal(after_value, sort_column.type), literal(after_id, id_column.type))
        statement = statement.where(key < bound if descending else key > bound)
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    statement = statement.order_by(*order).limit(limit + 1)
    if options:
        statement = statement.options(*options)
    rows = list((await session.scalars(statement)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor(f"{spec.name}:{sort}:{descending}", (getattr(rows[-1], sort), rows[-1].id))
        if more and rows
        else None
    )
    total = None
    if with_total:
        total = int(
            await session.scalar(select(func.count()).select_from(spec.model).where(*conditions))
            or 0
        )
    schema = read_schema or spec.read_schema
    return Page([schema.model_validate(row) for row in rows], next_cursor, total, limit)


# --- writes ----------------------------------------------------------------------------------


def _check_not_null(spec: EntitySpec[Any, Any], values: Mapping[str, Any]) -> None:
    """`null` in a partial update means "clear it": refused for a field that needs a value."""
    columns = inspect(spec.model).columns
    errors = [
        FieldError(name, "cannot be null; leave the field out to keep its value", "not_null")
        for name, value in values.items()
        if value is None and name in columns and not columns[name].nullable
    ]
    if errors:
        raise ValidationError(errors)


def _snapshot(obj: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _column_values(spec: EntitySpec[Any, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    columns = {attr.key for attr in inspect(spec.model).column_attrs}
    out = {}
    for name, value in values.items():
        if name in columns:
            out[name] = str(value) if _is_url(value) else value
    return out


def _has_default(spec: EntitySpec[Any, Any], name: str) -> bool:
    column = inspect(spec.model).column_attrs[name].columns[0]
    return column.default is not None or column.server_default is not None


def _is_url(value: Any) -> bool:
    return type(value).__name__ in {"HttpUrl", "AnyUrl", "Url"}


async def create(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[M, R],
    data: Mapping[str, Any] | BaseModel,
    *,
    extra: Mapping[str, Any] | None = None,
) -> M:
    """Validate, authorize, insert and audit one row; returns the flushed ORM object."""
    payload = parse(spec.create_schema, data)
    values = {
        name: value
        for name, value in _column_values(spec, payload.model_dump()).items()
        if value is not None or not _has_default(spec, name)
    }
    values.update(extra or {})
    if spec.stamp is not None:
        values.update(spec.stamp(caller.actor))
    _check_fields(caller, spec, {k: v for k, v in values.items() if k in spec.admin_fields and v})
    obj = spec.model(**values)
    await authorize(session, caller, spec, PermissionAction.CREATE, obj)
    await check_references(session, spec.model, values)
    session.add(obj)
    await flush(session, spec.model)
    await _audit(
        session,
        caller,
        spec,
        AuditAction.CREATE,
        obj.id,  # type: ignore[attr-defined]
        {k: [None, v] for k, v in values.items() if v is not None},
    )
    return obj


async def update(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[M, R],
    entity_id: Any,
    data: Mapping[str, Any] | BaseModel,
    *,
    expected_version: int | None = None,
    also: Mapping[str, Any] | None = None,
) -> M:
    """Apply a partial update based on `expected_version`; a stale version changes nothing.

    `also` holds values the service derives (e.g. completed_at), applied and audited with
    the change but not taken from input.
    """
    payload = parse(spec.update_schema, data)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None) or expected_version
    obj = await load(session, caller, spec, entity_id)
    await authorize(session, caller, spec, PermissionAction.UPDATE, obj)
    values = _column_values(spec, changes)
    _check_not_null(spec, values)
    _check_fields(caller, spec, {k: v for k, v in values.items() if getattr(obj, k) != v})
    values.update(also or {})
    if version is not None and spec.versioned and obj.version != version:  # type: ignore[attr-defined]
        raise ConflictError(
            f"{spec.name} {entity_id} changed since version {version} "
            f"(now {obj.version}); reload and retry",  # type: ignore[attr-defined]
            current_version=obj.version,  # type: ignore[attr-defined]
        )
    await check_references(session, spec.model, values)
    before = _snapshot(obj, list(values))
    for name, value in values.items():
        setattr(obj, name, value)
    diff = {k: [before[k], v] for k, v in values.items() if before[k] != v}
    if not diff:
        return obj
    # Changing the owner away from oneself is itself an update the scope must allow.
    await authorize(session, caller, spec, PermissionAction.UPDATE, obj)
    await _flush_versioned(session, spec, entity_id)
    await _audit(session, caller, spec, AuditAction.UPDATE, entity_id, diff)
    return obj


async def _audit(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    action: AuditAction,
    entity_id: Any,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """The audit row of a change to one row of `spec`, in the same transaction."""
    await audit.record(
        session,
        actor=caller.actor,
        request=caller.request,
        action=action,
        resource=spec.name,
        resource_id=str(entity_id),
        changes=changes,
    )


async def _flush_versioned(
    session: AsyncSession, spec: EntitySpec[Any, Any], entity_id: Any
) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    try:
        await flush(session, spec.model)
    except StaleDataError:
        raise ConflictError(
            f"{spec.name} {entity_id} was changed by someone else meanwhile; reload and retry"
        ) from None


async def delete(
    session: AsyncSession, caller: Caller, spec: EntitySpec[M, R], entity_id: Any
) -> M:
    """Soft delete where the table keeps deleted rows, hard delete elsewhere."""
    obj = await load(session, caller, spec, entity_id)
    await authorize(session, caller, spec, PermissionAction.DELETE, obj)
    if spec.soft_deletes:
        now = utcnow()
        obj.deleted_at = now  # type: ignore[attr-defined]
        await _flush_versioned(session, spec, entity_id)
        changes: dict[str, Any] = {"deleted_at": [None, now]}
    else:
        changes = {}
        await session.delete(obj)
        await flush(session, spec.model)
    await _audit(session, caller, spec, AuditAction.DELETE, entity_id, changes)
    return obj


async def restore(
    session: AsyncSession, caller: Caller, spec: EntitySpec[M, R], entity_id: Any
) -> M:
    obj = await load(session, caller, spec, entity_id, include_deleted=True)
    await authorize(session, caller, spec, PermissionAction.UPDATE, obj)
    if obj.deleted_at is None:  # type: ignore[attr-defined]
        return obj
    before = obj.deleted_at  # type: ignore[attr-defined]
    obj.deleted_at = None  # type: ignore[attr-defined]
    await _flush_versioned(session, spec, entity_id)
    await _audit(
        session, caller, spec, AuditAction.RESTORE, entity_id, {"deleted_at": [before, None]}
    )
    return obj


async def purge(
    session: AsyncSession, caller: Caller, spec: EntitySpec[M, R], entity_id: Any
) -> None:
    """Remove for good (administrators only), cascading as the schema says."""
    if not caller.actor.is_privileged:
        raise PermissionDeniedError(f"only administrators may purge a {spec.name}")
    obj = await load(session, caller, spec, entity_id, include_deleted=True)
    await session.delete(obj)
    try:
        await flush(session, spec.model)
    except ConflictError as error:
        raise ConflictError(f"{spec.name} {entity_id} is still referenced: {error}") from None
    await _audit(session, caller, spec, AuditAction.PURGE, entity_id)


__all__ = [
    "Caller",
    "EntitySpec",
    "Ownership",
    "access_predicate",
    "authorize",
    "create",
    "delete",
    "find",
    "load",
    "purge",
    "read",
    "restore",
    "update",
]
