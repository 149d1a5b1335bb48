"""What an entity is to the service layer, declared once by its domain.

An `EntitySpec` says, as data, what a table is: its schemas, the permission resource that
guards it, what "own" means for it, which fields filter and sort, where it lives in the API
and the studio, which of the generic operations (list, get, create, update, delete, restore,
purge) it offers, and its named operations (`Action`s) such as changing a task's status. The
facade, the HTTP routes and the studio all read these declarations, so an operation is
offered, or not, in the same way on every surface.

The domain registers the functions that do its work on its spec:

    TASKS = EntitySpec(name="task", model=Task, ...)

    @TASKS.action("status", input=TaskStatusChange, label="Change status")
    async def change_task_status(session, caller, task_id, change) -> Task: ...

    @USERS.creates
    async def create_user(session, caller, data) -> User: ...   # instead of crud.create

Generic code calls `spec.create(...)`, `spec.update(...)`... which run the registered
function, or the generic one in `core.crud` when the domain registered none.
"""

from __future__ import annotations

import typing
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from dreamery.core import crud
from dreamery.core.context import Actor, Caller, PermissionAction

M = TypeVar("M", bound=DeclarativeBase)
R = TypeVar("R", bound=BaseModel)
In = TypeVar("In", bound=BaseModel)
M_co = TypeVar("M_co", bound=DeclarativeBase, covariant=True)
In_contra = TypeVar("In_contra", bound=BaseModel, contravariant=True)

EntityId = uuid.UUID | str
C = TypeVar("C", bound="Creates[Any]")
Input = Mapping[str, object] | BaseModel


class Crud(StrEnum):
    """The generic operations an entity may offer."""

    LIST = "list"
    GET = "get"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"
    PURGE = "purge"


EVERY_OPERATION = frozenset(Crud)


@dataclass(frozen=True)
class Ownership:
    """Rows the actor owns: `model.<column> == actor.<actor_attr>` (user_id or role_id).

    `per_organization`: rows shared by a role (its playbooks) are the actor's own only when
    they are everyone's (no organization) or of the actor's organization.
    """

    column: str
    actor_attr: str = "user_id"
    per_organization: bool = False


@dataclass(frozen=True)
class Tenancy:
    """Which organization a row belongs to: what the `org` scope and the database's row
    security compare with the actor's organization.

    `column` holds it (`id` for the organizations themselves). The service sets it when a row
    is created: the parent's organization for a child; else the organization of the user named
    by `from_user` (a task is the organization's of whoever it is assigned to); else the
    acting user's. `shared` rows may have none: everyone's (the starter content).
    """

    column: str = "organization_id"
    from_user: str | None = None
    shared: bool = False


class Creates(Protocol[M_co]):
    def __call__(
        self, session: AsyncSession, caller: Caller, data: Input, /
    ) -> Awaitable[M_co]: ...


class Updates(Protocol[M_co]):
    def __call__(
        self,
        session: AsyncSession,
        caller: Caller,
        entity_id: EntityId,
        data: Input,
        /,
        *,
        expected_version: int | None = None,
    ) -> Awaitable[M_co]: ...


class Deletes(Protocol[M_co]):
    def __call__(
        self,
        session: AsyncSession,
        caller: Caller,
        entity_id: EntityId,
        /,
        *,
        expected_version: int | None = None,
    ) -> Awaitable[M_co]: ...


class ById(Protocol[M_co]):
    def __call__(
        self, session: AsyncSession, caller: Caller, entity_id: EntityId, /
    ) -> Awaitable[M_co]: ...


class Searches(Protocol[M_co]):
    """Text search over an entity, best match first, among the rows the caller may read."""

    def __call__(
        self,
        session: AsyncSession,
        caller: Caller,
        query: str,
        /,
        *,
        filters: Mapping[str, Any],
        limit: int,
    ) -> Awaitable[Sequence[M_co]]: ...


class Performs(Protocol[M_co, In_contra]):
    """A named operation: `(session, caller, entity_id, input) -> the changed row`."""

    def __call__(
        self, session: AsyncSession, caller: Caller, entity_id: EntityId, data: In_contra, /
    ) -> Awaitable[M_co]: ...


@dataclass(frozen=True, eq=False)
class Action(Generic[M, In]):
    """A named operation on one row: a state change with rules of its own.

    `run(session, caller, entity_id, data)` does it; `input` is what it takes (its body on
    HTTP, its form in the studio); `path` is its route below the row
    (`POST /api/v1/<entities>/{id}/<path>`); `label` names it on a button; `applies` says for
    which rows the studio offers it (the operation itself still checks).
    """

    name: str
    path: str
    label: str
    input: type[In]
    run: Performs[M, In]
    summary: str
    owns: frozenset[str]
    applies: Callable[[M], bool] | None = None

    def applies_to(self, obj: M) -> bool:
        return self.applies is None or self.applies(obj)


_BY_NAME: dict[str, EntitySpec[Any, Any]] = {}
_BY_TABLE: dict[str, EntitySpec[Any, Any]] = {}


def spec_for_table(table: str) -> EntitySpec[Any, Any] | None:
    """The entity a table holds (the first declared, should two views share one)."""
    return _BY_TABLE.get(table)


def audit_names(resource: str) -> list[str]:
    """Every name the audit trail has recorded `resource` under (its present one first)."""
    spec = _BY_NAME.get(resource)
    return [resource, *sorted(spec.former_names)] if spec is not None else [resource]


class EntitySpec(Generic[M, R]):
    """One entity of the hub, declared by its domain (see the module docstring)."""

    def __init__(
        self,
        *,
        name: str,
        model: type[M],
        resource: str,
        read_schema: type[R],
        create_schema: type[BaseModel] | None = None,
        update_schema: type[BaseModel] | None = None,
        filters: type[Mapping[str, object]] | None = None,
        sorts: frozenset[str] = frozenset({"created_at"}),
        default_sort: str = "created_at",
        descending: bool = True,
        owner: Ownership | None = None,
        owners: Mapping[PermissionAction, Ownership] | None = None,
        parent: tuple[EntitySpec[Any, Any], str] | None = None,
        tenancy: Tenancy | None = None,
        case_column: str | None = None,
        guarded_fields: frozenset[str] = frozenset(),
        admin_fields: frozenset[str] = frozenset(),
        stamp: Callable[[Actor], dict[str, Any]] | None = None,
        after_write: Callable[[AsyncSession], None] | None = None,
        offers: frozenset[Crud] = EVERY_OPERATION,
        plural: str | None = None,
        path: str | None = None,
        group: str = "Other",
        former_names: frozenset[str] = frozenset(),
        row_label: Callable[[Any], str] | None = None,
        list_columns: Sequence[str] | None = None,
    ) -> None:
        self.name = name  # the audit trail's resource, and the facade's `<verb>_<name>`
        # Names the audit trail knew this entity by before (its rows are never rewritten).
        self.former_names = former_names
        _BY_NAME[name] = self
        _BY_TABLE.setdefault(model.__tablename__, self)
        self.model = model
        self.resource = resource  # the permission resource that guards it
        self.read_schema = read_schema
        self.create_schema = create_schema
        self.update_schema = update_schema
        self.filters = filters
        self.filter_types: dict[str, Any] = typing.get_type_hints(filters) if filters else {}
        self._filter_check: TypeAdapter[Any] | None = TypeAdapter(filters) if filters else None
        self.sorts = sorts
        self.default_sort = default_sort
        self.descending = descending
        self.owner = owner
        # What "own" means for one action when it is not `owner` (a task is deleted by whoever
        # created it, not by whoever it was assigned to).
        self.owners: Mapping[PermissionAction, Ownership] = dict(owners or {})
        # Children are guarded by their parent: (parent spec, foreign key to it).
        self.parent = parent
        # Whose organization's data a row is, and the column naming the case it belongs to
        # (the `case` scope: rows of the cases the actor takes part in).
        self.tenancy = tenancy
        self.case_column = case_column
        # Fields only an actor with `<resource>:update:any` may set (no self-promotion).
        self.guarded_fields = guarded_fields
        self.admin_fields = admin_fields
        # Fields set by the service (from the actor), never by input.
        self.stamp = stamp
        # Called in the transaction of every write of this entity (e.g. to queue
        # after-commit work such as dropping a cache).
        self.after_write = after_write
        writes = {Crud.CREATE: create_schema, Crud.UPDATE: update_schema}
        self.offers = frozenset(op for op in offers if writes.get(op, True) is not None)
        if not self.soft_deletes:
            self.offers -= {Crud.RESTORE, Crud.PURGE}
        self.plural = plural or f"{name}s"
        self.path = path or self.plural.replace("_", "-")
        self.group = group  # the API's tag and the studio's menu
        self.label = name.replace("_", " ")
        # How a person recognises one row (a user by name and e-mail, a role by its name):
        # called with the Read schema or the model, wherever a row or a reference is shown.
        self.row_label = row_label
        # The Read-schema fields a list shows, in order (every short one when None).
        self.list_columns: tuple[str, ...] | None = (
            tuple(list_columns) if list_columns is not None else None
        )
        self.actions: dict[str, Action[M, Any]] = {}
        # field -> the named operations that change it, shown by the generic schemas' errors
        self._named: dict[str, str] = {}
        self._changed_by: dict[str, list[str]] = {}
        for schema in (create_schema, update_schema):
            if schema is not None and hasattr(schema, "named_fields"):
                schema.named_fields = self._named
        self._creates: Creates[M] | None = None
        self._updates: Updates[M] | None = None
        self._deletes: Deletes[M] | None = None
        self._restores: ById[M] | None = None
        self.search: Searches[M] | None = None

    def __repr__(self) -> str:
        return f"EntitySpec({self.name!r})"

    # --- what the table is ----------------------------------------------------------------
    @property
    def soft_deletes(self) -> bool:
        return hasattr(self.model, "deleted_at")

    @property
    def versioned(self) -> bool:
        return hasattr(self.model, "version")

    def owner_for(self, action: PermissionAction) -> Ownership | None:
        """Which rows are the actor's own when they `action` this entity."""
        return self.owners.get(action, self.owner)

    def column(self, name: str) -> InstrumentedAttribute[Any]:
        attribute = getattr(self.model, name)
        assert isinstance(attribute, InstrumentedAttribute)
        return attribute

    def offered(self, operation: Crud) -> bool:
        return operation in self.offers

    def action_of(self, function: Performs[M, In]) -> Action[M, In]:
        """The declaration of one of this entity's named operations, from its function."""
        for action in self.actions.values():
            if action.run is function:
                return action
        raise ValueError(
            f"{getattr(function, '__name__', function)!r} is not an operation of {self.plural}"
        )

    @property
    def named_fields(self) -> Mapping[str, str]:
        """Fields that only named operations change -> those operations."""
        return self._named

    def check_filters(self, filters: Mapping[str, object]) -> dict[str, Any]:
        """The filters, validated against the entity's filter declaration."""
        return crud.check_filters(self, filters, self._filter_check)

    # --- registering the domain's functions -------------------------------------------------
    def creates(self, function: C) -> C:
        self._creates = function
        return function

    def updates(self, function: Updates[M]) -> Updates[M]:
        self._updates = function
        return function

    def deletes(self, function: Deletes[M]) -> Deletes[M]:
        self._deletes = function
        return function

    def restores(self, function: ById[M]) -> ById[M]:
        self._restores = function
        return function

    def searches(self, function: Searches[M]) -> Searches[M]:
        self.search = function
        return function

    def action(
        self,
        path: str,
        *,
        input: type[In],
        label: str,
        owns: frozenset[str] | set[str],
        applies: Callable[[M], bool] | None = None,
    ) -> Callable[[Performs[M, In]], Performs[M, In]]:
        """Register a named operation; its docstring's first line is its summary."""

        def register(function: Performs[M, In]) -> Performs[M, In]:
            name = getattr(function, "__name__", path)
            if name in self.actions or any(a.path == path for a in self.actions.values()):
                raise ValueError(f"{self.name}: action {name} ({path}) is declared twice")
            summary = (function.__doc__ or label).strip().splitlines()[0]
            fields = frozenset(owns)
            self.actions[name] = Action(
                name, path, label, input, function, summary, fields, applies
            )
            for field_name in sorted(fields):
                self._changed_by.setdefault(field_name, []).append(name)
                self._named[field_name] = _either(self._changed_by[field_name])
            return function

        return register

    # --- the operations, as the domain registered them --------------------------------------
    async def create(self, session: AsyncSession, caller: Caller, data: Input) -> M:
        if self._creates is not None:
            return await self._creates(session, caller, data)
        created: M = await crud.create(session, caller, self, data)
        return created

    async def update(
        self,
        session: AsyncSession,
        caller: Caller,
        entity_id: EntityId,
        data: Input,
        *,
        expected_version: int | None = None,
    ) -> M:
        if self._updates is not None:
            return await self._updates(
                session, caller, entity_id, data, expected_version=expected_version
            )
        updated: M = await crud.update(
            session, caller, self, entity_id, data, expected_version=expected_version
        )
        return updated

    async def delete(
        self,
        session: AsyncSession,
        caller: Caller,
        entity_id: EntityId,
        *,
        expected_version: int | None = None,
    ) -> M:
        if self._deletes is not None:
            return await self._deletes(
                session, caller, entity_id, expected_version=expected_version
            )
        deleted: M = await crud.delete(
            session, caller, self, entity_id, expected_version=expected_version
        )
        return deleted

    async def restore(self, session: AsyncSession, caller: Caller, entity_id: EntityId) -> M:
        if self._restores is not None:
            return await self._restores(session, caller, entity_id)
        restored: M = await crud.restore(session, caller, self, entity_id)
        return restored

    def read(self, obj: M) -> R:
        return self.read_schema.model_validate(obj)

    def label_of(self, obj: Any) -> str:
        """The row's label as its domain declared it; its id when there is none."""
        if self.row_label is not None:
            text = self.row_label(obj)
            if text:
                return text
        return str(getattr(obj, "id", "?"))


def _either(names: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


__all__ = [
    "EVERY_OPERATION",
    "Action",
    "Crud",
    "EntityId",
    "EntitySpec",
    "Input",
    "Ownership",
    "Performs",
    "Tenancy",
    "audit_names",
]
