"""The one read path and the one write path every entity shares.

Each function works for any `EntitySpec` the same way: validate, authorize (rows and fields),
change, write the audit row, all in the caller's transaction (flush, never commit). Reads
return ORM rows that only the caller may see; a row one may not see is not found.

Domain operations build on these: a named state change loads its row, checks its own rules
and permission, then `apply`s exactly the values it decided, audited under its own action
name. The audit trail itself is the audit domain's: it registers its writer here with
`record_changes_with`, and a write without one fails loudly rather than go unrecorded.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import (
    Column,
    ColumnElement,
    PrimaryKeyConstraint,
    Select,
    Table,
    UniqueConstraint,
    and_,
    func,
    inspect,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import visitors

from dreamery.core.access import access_predicate, authorize, check_fields
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.errors import (
    ConflictError,
    DuplicateError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    validator_message,
)
from dreamery.core.pagination import (
    DEFAULT_LIMIT,
    Page,
    check_limit,
    decode_cursor,
    encode_cursor,
)
from dreamery.core.types import utcnow

if TYPE_CHECKING:
    from dreamery.core.entities import EntitySpec

S = TypeVar("S", bound=BaseModel)
logger = logging.getLogger(__name__)


# --- the audit trail's writer, registered by the audit domain ------------------------------


class ChangeRecorder(Protocol):
    def __call__(
        self,
        session: AsyncSession,
        caller: Caller,
        *,
        action: str,
        resource: str,
        resource_id: str,
        changes: Mapping[str, Any] | None,
    ) -> Awaitable[None]: ...


_recorder: list[ChangeRecorder] = []


def record_changes_with(recorder: ChangeRecorder) -> None:
    """Make `recorder` the writer of every change's audit row (one per process)."""
    _recorder[:] = [recorder]


async def record_change(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    action: str,
    entity_id: Any,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """The audit row of a change to one row of `spec`, in the same transaction (and the
    spec's `after_write`, which every write passes through here)."""
    if spec.after_write is not None:
        spec.after_write(session)
    if not _recorder:
        raise RuntimeError(
            "no audit trail is registered: import dreamery.audit before writing, so that "
            "no change goes unrecorded"
        )
    await _recorder[0](
        session,
        caller,
        action=action,
        resource=spec.name,
        resource_id=str(entity_id),
        changes=changes,
    )


# --- validation and integrity -------------------------------------------------------------


def _field_errors(error: PydanticValidationError, prefix: str = "") -> list[FieldError]:
    return [
        FieldError(
            ".".join(str(p) for p in (prefix, *e["loc"]) if p != "") or "(input)",
            validator_message(e["msg"]),
            e["type"],
        )
        for e in error.errors()
    ]


def parse(schema: type[S], data: Mapping[str, object] | BaseModel) -> S:
    """`data` as `schema`, or a ValidationError listing every field error."""
    if isinstance(data, schema):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump(exclude_unset=True)
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        raise ValidationError(_field_errors(error)) from None


def check_filters(
    spec: EntitySpec[Any, Any], filters: Mapping[str, object], check: TypeAdapter[Any] | None
) -> dict[str, Any]:
    """The list filters given (None values dropped), typed as the entity declares them."""
    given = {name: value for name, value in filters.items() if value is not None}
    unknown = sorted(set(given) - set(spec.filter_types))
    if unknown:
        raise ValidationError(
            [
                FieldError(
                    name,
                    f"cannot filter {spec.plural} by {name}; filters: {sorted(spec.filter_types)}",
                )
                for name in unknown
            ]
        )
    if check is None or not given:
        return given
    try:
        typed: dict[str, Any] = check.validate_python(given)
    except PydanticValidationError as error:
        raise ValidationError(_field_errors(error)) from None
    return typed


async def check_references(
    session: AsyncSession, caller: Caller, model: type[Any], values: Mapping[str, Any]
) -> None:
    """Refuse, naming the field, a reference to a row that does not exist or that the caller
    may not read (or that is deleted): both are "no <entity> with id ...", as `load` says, so
    a reference cannot be used to learn what exists."""
    errors = await missing_references(session, caller, model, values)
    if errors:
        raise ValidationError(errors)


async def missing_references(
    session: AsyncSession, caller: Caller, model: type[Any], values: Mapping[str, Any]
) -> list[FieldError]:
    """The field errors of `values`' references to rows the caller cannot read (see
    `check_references`), named as the caller knows them: the entity and the id they sent."""
    errors = []
    for column in model.__table__.columns:
        value = values.get(column.key)
        if value is None or not column.foreign_keys:
            continue
        target = next(iter(column.foreign_keys)).column
        spec = spec_for_table(target.table.name)
        conditions = [target == value]
        if spec is not None:
            conditions += visible_conditions(spec, caller, include_deleted=False)
        found = await session.scalar(
            select(func.count()).select_from(target.table).where(*conditions)
        )
        if not found:
            errors.append(
                FieldError(column.key, _no_such(spec, column.key, value), "missing_reference")
            )
    return errors


def _no_such(spec: EntitySpec[Any, Any] | None, field: str, value: Any) -> str:
    """ "no role 'appraiser-x'", "no user with id 0195…": the entity by its name, never its
    table; an id that is a name (a slug) quoted as sent."""
    what = spec.label if spec is not None else field.removesuffix("_id").replace("_", " ")
    return f"no {what} with id {value}" if isinstance(value, uuid.UUID) else f"no {what} {value!r}"


def _typed_references(
    spec: EntitySpec[Any, Any], data: Mapping[str, object], skip: frozenset[str]
) -> dict[str, Any]:
    """The references in raw input `data` that are well-formed ids, typed as their columns
    (fields in `skip`, which the schema refused, and the organization the service decides,
    are left out)."""
    tenant = spec.tenancy.column if spec.tenancy is not None else None
    typed: dict[str, Any] = {}
    for column in spec.model.__table__.columns:
        value = data.get(column.key)
        if value is None or not column.foreign_keys or column.key in skip or column.key == tenant:
            continue
        if column.type.python_type is uuid.UUID:
            try:
                typed[column.key] = uuid.UUID(str(value))
            except ValueError:
                continue
        elif isinstance(value, str):
            typed[column.key] = value
    return typed


async def reference_errors(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    data: Mapping[str, object],
    skip: frozenset[str] = frozenset(),
) -> list[FieldError]:
    """What `check_references` would refuse in raw input `data`, checked before the input
    is known to be valid (so that one answer lists every error)."""
    return await missing_references(
        session, caller, spec.model, _typed_references(spec, data, skip)
    )


async def parse_checked(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    schema: type[S],
    data: Mapping[str, object] | BaseModel,
) -> S:
    """`data` as `schema`; when it is not, the ValidationError lists the references to rows
    that do not exist too, with the schema's errors."""
    try:
        return parse(schema, data)
    except ValidationError as invalid:
        if isinstance(data, Mapping):
            failed = frozenset(e.field.split(".")[0] for e in invalid.errors)
            more = await reference_errors(session, caller, spec, data, failed)
            if more:
                raise ValidationError([*invalid.errors, *more]) from None
        raise


def _unique_field(error: IntegrityError, model: type[Any]) -> str | None:
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


async def flush(session: AsyncSession, model: type[Any]) -> None:
    # No savepoint: a failed flush ends the unit of work, which rolls back as a whole.
    try:
        await session.flush()
    except IntegrityError as error:
        field_name = _unique_field(error, model)
        if field_name is not None:
            raise DuplicateError(field_name) from None
        # A reference or check the service did not foresee; the database's words would
        # name its tables, so they go to the log only.
        logger.info("integrity error on %s: %s", model.__tablename__, error.orig)
        raise ConflictError(
            "the change conflicts with other records (a reference or a rule the database "
            "keeps); reload and check what it refers to"
        ) from None
    except DataError as error:
        # The schemas bound every value; this is the net under them (e.g. a new column).
        logger.info("data error on %s: %s", model.__tablename__, error.orig)
        raise ValidationError(
            [FieldError("(input)", "a value does not fit where it is kept (too long or too large)")]
        ) from None


async def flush_versioned(
    session: AsyncSession, spec: EntitySpec[Any, Any], entity_id: Any
) -> None:
    try:
        await flush(session, spec.model)
    except StaleDataError:
        raise ConflictError(
            f"this {spec.label} ({entity_id}) was changed by someone else meanwhile; reload it "
            "and retry"
        ) from None


# --- reads ---------------------------------------------------------------------------------


def visible_conditions(
    spec: EntitySpec[Any, Any], caller: Caller, include_deleted: bool
) -> list[ColumnElement[bool]]:
    """What a list of `spec` may hold for the caller: rows they may read, not deleted."""
    conditions: list[ColumnElement[bool]] = [
        access_predicate(spec, caller.actor, PermissionAction.READ)
    ]
    if spec.soft_deletes and not include_deleted:
        conditions.append(spec.column("deleted_at").is_(None))
    if include_deleted and not caller.actor.is_privileged:
        raise PermissionDeniedError(
            "only platform administrators may see deleted records", permission="administrator"
        )
    return conditions


def _coerce_id(spec: EntitySpec[Any, Any], entity_id: Any) -> Any:
    python_type = inspect(spec.model).primary_key[0].type.python_type
    if python_type is uuid.UUID and not isinstance(entity_id, uuid.UUID):
        try:
            return uuid.UUID(str(entity_id))
        except ValueError:
            raise NotFoundError(f"no {spec.label} with id {entity_id}") from None
    return entity_id


async def load(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    entity_id: Any,
    *,
    include_deleted: bool = False,
    options: Sequence[Any] = (),
    for_update: bool = False,
) -> Any:
    """The row, if it exists and the caller may read it; otherwise NotFoundError, so that
    what one may not see cannot be told apart from what does not exist."""
    key = _coerce_id(spec, entity_id)
    statement = select(spec.model).where(
        spec.column("id") == key, *visible_conditions(spec, caller, include_deleted)
    )
    if options:
        statement = statement.options(*options)
    if for_update:
        statement = statement.with_for_update()
    obj = (await session.scalars(statement)).one_or_none()
    if obj is None:
        raise NotFoundError(
            f"no {spec.label} with id {entity_id}", resource=spec.name, id=str(entity_id)
        )
    return obj


async def load_many(
    session: AsyncSession, caller: Caller, spec: EntitySpec[Any, Any], entity_ids: Iterable[Any]
) -> list[Any]:
    """The rows of `entity_ids` the caller may read (deleted ones too, where the caller may
    see them), in one query; ids that match nothing are left out."""
    keys: list[Any] = []
    for entity_id in entity_ids:
        try:
            keys.append(_coerce_id(spec, entity_id))
        except NotFoundError:
            continue
    if not keys:
        return []
    statement = select(spec.model).where(
        spec.column("id").in_(sorted(set(keys), key=str)),
        *visible_conditions(spec, caller, include_deleted=caller.actor.is_privileged),
    )
    return list((await session.scalars(statement)).all())


async def count(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    *,
    filters: Mapping[str, object] | None = None,
) -> int:
    """How many rows of `spec` the caller may read match `filters` (all must hold)."""
    conditions = visible_conditions(spec, caller, include_deleted=False)
    for name, value in spec.check_filters(filters or {}).items():
        conditions.append(spec.column(name) == value)
    statement = select(func.count()).select_from(spec.model).where(*conditions)
    return int(await session.scalar(statement) or 0)


async def find(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    *,
    filters: Mapping[str, object] | None = None,
    where: Sequence[ColumnElement[bool]] = (),
    sort: str | None = None,
    descending: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    with_total: bool = False,
    include_deleted: bool = False,
    options: Sequence[Any] = (),
) -> Page[Any]:
    """A keyset page of ORM rows: (sort column, id) after the cursor, so page 1,000 costs
    what page 1 does."""
    limit = check_limit(limit)
    sort = sort or spec.default_sort
    if sort not in spec.sorts:
        raise ValidationError([FieldError("sort", f"must be one of {sorted(spec.sorts)}")])
    descending = spec.descending if descending is None else descending
    conditions = [*visible_conditions(spec, caller, include_deleted), *where]
    for name, value in spec.check_filters(filters or {}).items():
        conditions.append(spec.column(name) == value)
    sort_column, id_column = spec.column(sort), spec.column("id")
    nullable = bool(getattr(sort_column.property.columns[0], "nullable", False))
    statement: Select[Any] = select(spec.model).where(*conditions)
    if cursor:
        after_value, after_id = decode_cursor(cursor, f"{spec.name}:{sort}:{descending}")
        statement = statement.where(
            _after(sort_column, id_column, after_value, after_id, descending, nullable)
        )
    if descending:
        first = sort_column.desc().nulls_first() if nullable else sort_column.desc()
        order = (first, id_column.desc())
    else:
        first = sort_column.asc().nulls_last() if nullable else sort_column.asc()
        order = (first, id_column.asc())
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
    return Page(rows, next_cursor, total, limit)


def _after(
    sort_column: Any,
    id_column: Any,
    after_value: Any,
    after_id: Any,
    descending: bool,
    nullable: bool,
) -> ColumnElement[bool]:
    """The rows after (after_value, after_id) in the listing's order.

    A row-value comparison, (sort, id) > (after_sort, after_id), which both databases answer
    from a (sort, id) index: page 1,000 costs what page 1 costs. Rows without a sort value come
    last (ascending) or first (descending) on both databases, and are paged by id.
    """
    after_key = literal(after_id, id_column.type)
    if after_value is None:
        if descending:
            return or_(and_(sort_column.is_(None), id_column < after_key), sort_column.is_not(None))
        return and_(sort_column.is_(None), id_column > after_key)
    key = tuple_(sort_column, id_column)
    bound = tuple_(literal(after_value, sort_column.type), after_key)
    if descending:
        return key < bound
    later = key > bound
    return or_(later, sort_column.is_(None)) if nullable else later


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


def spec_for_table(table: str) -> EntitySpec[Any, Any] | None:
    from dreamery.core.entities import spec_for_table as lookup

    return lookup(table)


async def organization_for(
    session: AsyncSession, caller: Caller, spec: EntitySpec[Any, Any], values: Mapping[str, Any]
) -> dict[str, Any]:
    """The organization a new (or reassigned) row of `spec` belongs to, as its `Tenancy`
    says: its parent's, else its user's, else the acting user's; `{}` when the spec keeps
    none or the row names its organization itself."""
    tenancy = spec.tenancy
    if tenancy is None or tenancy.column == "id":
        return {}
    if spec.parent is not None:
        parent, foreign_key = spec.parent
        if parent.tenancy is None or values.get(foreign_key) is None:
            return {}
        organization = await session.scalar(
            select(parent.column(parent.tenancy.column)).where(
                parent.column("id") == values[foreign_key]
            )
        )
        return {tenancy.column: organization} if organization is not None else {}
    if tenancy.from_user is not None and values.get(tenancy.from_user) is not None:
        column = spec.model.__table__.columns[tenancy.from_user]
        target = next(iter(column.foreign_keys)).column
        users = spec_for_table(target.table.name)
        if users is not None and users.tenancy is not None:
            organization = await session.scalar(
                select(users.column(users.tenancy.column)).where(
                    users.column("id") == values[tenancy.from_user]
                )
            )
            if organization is not None:
                return {tenancy.column: organization}
    if values.get(tenancy.column) is not None:
        return {}
    if caller.actor.organization_id is not None:
        return {tenancy.column: caller.actor.organization_id}
    if tenancy.shared:
        return {tenancy.column: None}
    raise ValidationError(
        [
            FieldError(
                tenancy.column,
                f"a {spec.label} belongs to an organization: name it",
                "missing_organization",
            )
        ]
    )


def _schema(spec: EntitySpec[Any, Any], kind: str) -> type[BaseModel]:
    schema = spec.create_schema if kind == "create" else spec.update_schema
    if schema is None:
        raise PermissionDeniedError(f"a {spec.label} cannot be {kind}d", resource=spec.name)
    return schema


async def create(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    data: Mapping[str, object] | BaseModel,
    *,
    extra: Mapping[str, Any] | None = None,
) -> Any:
    """Validate, authorize, insert and audit one row; returns the flushed ORM object.

    `extra` holds values the service decides (a parent's id, a state), never taken from input.
    """
    payload = await parse_checked(session, caller, spec, _schema(spec, "create"), data)
    values = {
        name: value
        for name, value in _column_values(spec, payload.model_dump()).items()
        if value is not None or not _has_default(spec, name)
    }
    values.update(extra or {})
    if spec.stamp is not None:
        values.update(spec.stamp(caller.actor))
    # The organization a row belongs to is the service's decision, not a reference the caller
    # makes (a task for a case participant belongs to the participant's).
    decided = await organization_for(session, caller, spec, values)
    values.update(decided)
    check_fields(caller, spec, {k: v for k, v in values.items() if k in spec.admin_fields and v})
    obj = spec.model(**values)
    await authorize(session, caller, spec, PermissionAction.CREATE, obj)
    await check_references(
        session, caller, spec.model, {k: v for k, v in values.items() if k not in decided}
    )
    session.add(obj)
    await flush(session, spec.model)
    await record_change(
        session,
        caller,
        spec,
        "create",
        obj.id,
        {k: [None, v] for k, v in values.items() if v is not None},
    )
    return obj


async def update(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    entity_id: Any,
    data: Mapping[str, object] | BaseModel,
    *,
    expected_version: int | None = None,
) -> Any:
    """Apply a partial update based on `expected_version`; a stale version changes nothing."""
    payload = await parse_checked(session, caller, spec, _schema(spec, "update"), data)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None) or expected_version
    obj = await load(session, caller, spec, entity_id)
    await authorize(session, caller, spec, PermissionAction.UPDATE, obj)
    values = _column_values(spec, changes)
    _check_not_null(spec, values)
    check_fields(caller, spec, {k: v for k, v in values.items() if getattr(obj, k) != v})
    owner = spec.owner
    handed_over = (
        owner is not None
        and owner.column in values
        and values[owner.column] != getattr(obj, owner.column)
    )
    tenancy = spec.tenancy
    if (
        tenancy is not None
        and tenancy.from_user is not None
        and values.get(tenancy.from_user, getattr(obj, tenancy.from_user))
        != getattr(obj, tenancy.from_user)
    ):
        # A row given to someone moves into their organization.
        values = {**values, **(await organization_for(session, caller, spec, values))}

    async def still_allowed() -> None:
        # Changing the owner away from oneself is itself an update the scope must allow.
        await authorize(session, caller, spec, PermissionAction.UPDATE, obj)
        if handed_over and owner is not None:
            # Handing a row to someone is making it theirs: as creating it for them would.
            try:
                await authorize(session, caller, spec, PermissionAction.CREATE, obj)
            except PermissionDeniedError as denied:
                raise PermissionDeniedError(
                    f"you need the permission '{denied.permission}' to give a {spec.label} to "
                    f"that {owner.column.removesuffix('_id')}",
                    permission=denied.permission,
                    resource=spec.name,
                    action="update",
                    resource_id=str(obj.id),
                    field=owner.column,
                ) from None

    return await apply(
        session,
        caller,
        spec,
        obj,
        values,
        action="update",
        expected_version=version,
        check=still_allowed,
    )


def check_version(spec: EntitySpec[Any, Any], obj: Any, expected_version: int | None) -> None:
    """Refuse (409) a change based on a version of `obj` that is no longer its own."""
    if expected_version is not None and spec.versioned and obj.version != expected_version:
        raise ConflictError(
            f"this {spec.label} ({obj.id}) changed since version {expected_version} "
            f"(now {obj.version}); reload it and retry",
            current_version=obj.version,
        )


async def apply(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    obj: Any,
    values: Mapping[str, Any],
    *,
    action: str,
    expected_version: int | None = None,
    check: Callable[[], Awaitable[None]] | None = None,
) -> Any:
    """Set `values` on `obj` (already authorized and decided by the service), flush with the
    version check, and audit the fields that changed as `action`. No change, no audit row.

    `check` runs once the values are set and before anything is written.
    """
    entity_id = obj.id
    check_version(spec, obj, expected_version)
    before = {name: getattr(obj, name) for name in values}
    # A reference kept as it was is not the caller's to justify again, and the organization a
    # row moves into is the service's decision (see `organization_for`).
    tenant = spec.tenancy.column if spec.tenancy is not None else None
    await check_references(
        session,
        caller,
        spec.model,
        {k: v for k, v in values.items() if before[k] != v and k != tenant},
    )
    for name, value in values.items():
        setattr(obj, name, value)
    diff = {k: [before[k], v] for k, v in values.items() if before[k] != v}
    if not diff:
        return obj
    if check is not None:
        await check()
    await flush_versioned(session, spec, entity_id)
    await record_change(session, caller, spec, action, entity_id, diff)
    return obj


async def delete(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    entity_id: Any,
    *,
    expected_version: int | None = None,
) -> Any:
    """Soft delete where the table keeps deleted rows, hard delete elsewhere; a stale
    `expected_version` deletes nothing."""
    obj = await load(session, caller, spec, entity_id)
    await authorize(session, caller, spec, PermissionAction.DELETE, obj)
    check_version(spec, obj, expected_version)
    if spec.soft_deletes:
        now = utcnow()
        obj.deleted_at = now
        await flush_versioned(session, spec, entity_id)
        changes: dict[str, Any] = {"deleted_at": [None, now]}
    else:
        changes = {}
        await session.delete(obj)
        await flush(session, spec.model)
    await record_change(session, caller, spec, "delete", entity_id, changes)
    return obj


async def restore(
    session: AsyncSession, caller: Caller, spec: EntitySpec[Any, Any], entity_id: Any
) -> Any:
    obj = await load(session, caller, spec, entity_id, include_deleted=True)
    await authorize(session, caller, spec, PermissionAction.UPDATE, obj)
    if obj.deleted_at is None:
        return obj
    before = obj.deleted_at
    obj.deleted_at = None
    await flush_versioned(session, spec, entity_id)
    await record_change(session, caller, spec, "restore", entity_id, {"deleted_at": [before, None]})
    return obj


async def purge(
    session: AsyncSession, caller: Caller, spec: EntitySpec[Any, Any], entity_id: Any
) -> None:
    """Remove for good (administrators only), cascading as the schema says."""
    if not caller.actor.is_privileged:
        raise PermissionDeniedError(
            f"only platform administrators may purge a {spec.label}", permission="administrator"
        )
    obj = await load(session, caller, spec, entity_id, include_deleted=True)
    await session.delete(obj)
    try:
        await flush(session, spec.model)
    except ConflictError:
        raise ConflictError(
            f"this {spec.label} ({entity_id}) is still referenced by other records"
        ) from None
    await record_change(session, caller, spec, "purge", entity_id)


__all__ = [
    "ChangeRecorder",
    "apply",
    "check_references",
    "check_version",
    "create",
    "delete",
    "find",
    "flush",
    "flush_versioned",
    "load",
    "missing_references",
    "parse",
    "parse_checked",
    "purge",
    "record_change",
    "record_changes_with",
    "reference_errors",
    "restore",
    "update",
    "visible_conditions",
]
