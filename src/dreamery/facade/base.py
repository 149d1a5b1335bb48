"""What every part of the facade stands on: units of work, who acts, and the generic
operations every entity shares, typed by the entity's spec.

A call opens one unit of work (`unit`): it resolves the acting user's permissions, runs the
domain operation, commits, and then runs what the operation queued for after the commit. A
refusal is itself audited, in a transaction of its own (it must outlive the rollback of the
work it refused). Two ways to make several calls one transaction:

    async with db.transaction() as tx:        # commits at the end, or rolls back on error
        await tx.create_task(...)
        await tx.change_task_status(...)

    tx = db.using(session)                    # join a transaction someone else owns

Within either, each call runs in a savepoint, so a call that fails leaves the calls before it
in place; the transaction's owner decides the rest. `transaction()` records the refusals met
inside once it has ended, whatever became of it; `using(session)` records them in that
session's transaction, whose owner is the code embedding the hub (and the tests).

Versions: `update_x(id, data)` and `delete_x(id)` take the version they are based on as
`expected_version=` (or, for an update, `version` in `data`); a stale one raises
ConflictError and changes nothing. Here the version is optional (the code calling is
trusted to decide whether last write wins); over HTTP a PATCH or DELETE without one is
refused with 428.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Self, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase

from dreamery.audit import service as audit
from dreamery.core import access, crud
from dreamery.core.config import get_settings
from dreamery.core.context import SYSTEM_ACTOR, Actor, Caller, RequestContext
from dreamery.core.db import (
    Unit,
    create_engine,
    create_sessionmaker,
    drop_queued_work_on_rollback,
    narrow_rows,
    savepoint,
    unit_of_work,
)
from dreamery.core.entities import Action, Crud, EntityId, EntitySpec, Input, Performs
from dreamery.core.errors import ConflictError, PermissionDeniedError
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.models.enums import AuditAction
from dreamery.rbac import service as rbac
from dreamery.rbac.cache import PermissionCache, attach

M = TypeVar("M", bound=DeclarativeBase)
R = TypeVar("R", bound=BaseModel)
In = TypeVar("In", bound=BaseModel)
S = TypeVar("S", bound=BaseModel)


class FacadeBase:
    """The hub's data, with access control and an audit trail on every path."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        engine: AsyncEngine | None = None,
        actor_id: uuid.UUID | None = None,
        request: RequestContext | None = None,
        redis_url: str | None = None,
        _permissions: PermissionCache | None = None,
        _session: AsyncSession | None = None,
        _denials: list[PermissionDeniedError] | None = None,
    ) -> None:
        self._owns_engine = engine is None
        self.engine = engine or create_engine(database_url)
        self._sessions: async_sessionmaker[AsyncSession] = create_sessionmaker(self.engine)
        self._actor_id = actor_id
        self._request = request or RequestContext()
        self._owns_cache = _permissions is None
        if _permissions is None:
            if redis_url is None:
                redis_url = get_settings().redis_url
            _permissions = PermissionCache(redis_url)
        self._permissions = _permissions
        self._session = _session  # the joined transaction's, if any
        self._denials = _denials  # refusals to record once that transaction has ended

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_cache:
            await self._permissions.close()
        if self._owns_engine:
            await self.engine.dispose()

    async def disconnect(self) -> None:
        await self.close()

    # --- views of the same service ------------------------------------------------------------
    def acting_as(self, user_id: uuid.UUID | str, request: RequestContext | None = None) -> Self:
        """The same service, acting with `user_id`'s permissions."""
        return self._derived(uuid.UUID(str(user_id)), request or self._request)

    def with_request(self, request: RequestContext) -> Self:
        """The same service and actor, recording `request` (id, IP, user agent) in audit rows."""
        return self._derived(self._actor_id, request)

    def using(self, session: AsyncSession) -> Self:
        """The same service, working in `session`'s transaction: its calls flush and never
        commit; committing (then `core.db.run_after_commit`) is the session owner's, and a
        rollback drops what the calls queued for after the commit. Refusals are recorded in
        that transaction too, so they share its fate."""
        attach(session, self._permissions)
        drop_queued_work_on_rollback(session)
        return self._derived(self._actor_id, self._request, session=session)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Self]:
        """One transaction for several calls: committed when the block ends, rolled back if it
        raises. Refusals met inside are recorded afterwards, whatever became of it."""
        if self._session is not None:
            yield self
            return
        denials: list[PermissionDeniedError] = []
        try:
            async with unit_of_work(self._sessions) as session:
                attach(session, self._permissions)
                yield self._derived(self._actor_id, self._request, session=session, denials=denials)
        finally:
            for denied in denials:
                await self._record_denial(denied)

    def _derived(
        self,
        actor_id: uuid.UUID | None,
        request: RequestContext,
        *,
        session: AsyncSession | None = None,
        denials: list[PermissionDeniedError] | None = None,
    ) -> Self:
        """A view on the same engine and permission cache (closing it closes neither)."""
        return type(self)(
            engine=self.engine,
            actor_id=actor_id,
            request=request,
            _permissions=self._permissions,
            _session=session if session is not None else self._session,
            _denials=denials if denials is not None else self._denials,
        )

    @property
    def permission_cache(self) -> PermissionCache:
        """The grants cache this service (and every view of it) shares."""
        return self._permissions

    async def invalidate_permissions(self) -> None:
        await self._permissions.invalidate()

    # --- units of work ------------------------------------------------------------------------
    async def _actor(self, session: AsyncSession) -> Actor:
        if self._actor_id is None:
            return SYSTEM_ACTOR
        actor = await rbac.actor_for(session, self._actor_id, self._permissions)
        if not actor.is_privileged:
            await narrow_rows(
                session,
                organization_id=actor.organization_id,
                user_id=actor.user_id,
                case_ids=access.case_ids(actor),
            )
        return actor

    @asynccontextmanager
    async def unit(self, *, write: bool = True) -> AsyncIterator[Unit]:
        """One unit of work acting as this service's user: a transaction of its own, or a
        savepoint of the joined one. Domain operations take `unit.session, unit.caller`."""
        try:
            if self._session is not None:
                async with savepoint(self._session) as session:
                    yield Unit(session, Caller(await self._actor(session), self._request))
            else:
                async with unit_of_work(self._sessions, write=write) as session:
                    attach(session, self._permissions)
                    yield Unit(session, Caller(await self._actor(session), self._request))
        except PermissionDeniedError as denied:
            if self._denials is not None:
                self._denials.append(denied)
            elif self._session is not None:
                async with savepoint(self._session) as session:
                    await self._write_denial(session, denied)
            else:
                await self._record_denial(denied)
            raise

    @asynccontextmanager
    async def _session_unit(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A session for work that needs no actor (sign-in, settings): a transaction of its
        own, or a savepoint of the joined one."""
        if self._session is not None:
            async with savepoint(self._session) as session:
                yield session
        else:
            async with unit_of_work(self._sessions, write=write) as session:
                attach(session, self._permissions)
                yield session

    async def _record_denial(self, denied: PermissionDeniedError) -> None:
        async with unit_of_work(self._sessions) as session:
            await self._write_denial(session, denied)

    async def _write_denial(self, session: AsyncSession, denied: PermissionDeniedError) -> None:
        actor = Actor(user_id=self._actor_id) if self._actor_id else SYSTEM_ACTOR
        await audit.record(
            session,
            actor=actor,
            request=self._request,
            action=AuditAction.DENIED,
            resource=str(denied.details.get("resource", "unknown")),
            resource_id=str(denied.details.get("resource_id", "")),
            changes={
                "reason": denied.message,
                **({"action": denied.details["action"]} if "action" in denied.details else {}),
            },
        )

    # --- the generic operations, for any entity ---------------------------------------------
    @staticmethod
    def _offered(spec: EntitySpec[Any, Any], operation: Crud) -> None:
        if not spec.offered(operation):
            raise ConflictError(f"{spec.plural} do not offer {operation}")

    async def get(
        self, spec: EntitySpec[M, R], entity_id: EntityId, *, include_deleted: bool = False
    ) -> R:
        """One row of `spec`, as its Read schema; NotFoundError when the caller may not see
        it."""
        async with self.unit(write=False) as unit:
            found = await crud.load(
                unit.session, unit.caller, spec, entity_id, include_deleted=include_deleted
            )
            return spec.read(found)

    async def find(
        self,
        spec: EntitySpec[M, R],
        *,
        filters: Mapping[str, object] | None = None,
        sort: str | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
    ) -> Page[R]:
        """A keyset page of `spec`'s rows the caller may see (filters combine with AND)."""
        return await self._find_as(
            spec,
            spec.read_schema,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def _find_as(
        self,
        spec: EntitySpec[M, R],
        schema: type[S],
        *,
        filters: Mapping[str, object] | None = None,
        sort: str | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        options: Sequence[Any] = (),
    ) -> Page[S]:
        """`find`, with the rows read as `schema` (loading what it needs with `options`)."""
        self._offered(spec, Crud.LIST)
        async with self.unit(write=False) as unit:
            page = await crud.find(
                unit.session,
                unit.caller,
                spec,
                filters=filters,
                sort=sort,
                descending=descending,
                cursor=cursor,
                limit=limit,
                with_total=with_total,
                include_deleted=include_deleted,
                options=options,
            )
            items = [schema.model_validate(row) for row in page.items]
        return Page(items, page.next_cursor, page.total, page.limit)

    async def get_many(self, spec: EntitySpec[M, R], entity_ids: Sequence[EntityId]) -> list[R]:
        """The rows of `entity_ids` the caller may see, in one query (unknown ids left out)."""
        async with self.unit(write=False) as unit:
            found = await crud.load_many(unit.session, unit.caller, spec, entity_ids)
            return [spec.read(row) for row in found]

    async def count(
        self, spec: EntitySpec[M, R], *, filters: Mapping[str, object] | None = None
    ) -> int:
        """How many of `spec`'s rows the caller may see match `filters` (combined with AND)."""
        self._offered(spec, Crud.LIST)
        async with self.unit(write=False) as unit:
            return await crud.count(unit.session, unit.caller, spec, filters=filters)

    async def search(
        self,
        spec: EntitySpec[M, R],
        query: str,
        *,
        filters: Mapping[str, object] | None = None,
        limit: int = 20,
    ) -> list[R]:
        """Rows of `spec` matching `query`, best first (where the domain offers a search)."""
        if spec.search is None:
            raise ConflictError(f"{spec.plural} have no text search")
        async with self.unit(write=False) as unit:
            found = await spec.search(
                unit.session, unit.caller, query, filters=filters or {}, limit=limit
            )
            return [spec.read(row) for row in found]

    async def create(self, spec: EntitySpec[M, R], data: Input) -> R:
        self._offered(spec, Crud.CREATE)
        async with self.unit() as unit:
            return spec.read(await spec.create(unit.session, unit.caller, data))

    async def update(
        self,
        spec: EntitySpec[M, R],
        entity_id: EntityId,
        data: Input,
        *,
        expected_version: int | None = None,
    ) -> R:
        """A partial update based on `expected_version` (or `version` in `data`).

        The version is optional here, unlike over HTTP: Python callers (the CLI, the seeder,
        scripts, the studio) are trusted to decide; without one the update applies whatever
        changed since, and with one a stale version raises ConflictError and changes nothing.
        """
        self._offered(spec, Crud.UPDATE)
        async with self.unit() as unit:
            changed = await spec.update(
                unit.session, unit.caller, entity_id, data, expected_version=expected_version
            )
            return spec.read(changed)

    async def delete(
        self, spec: EntitySpec[M, R], entity_id: EntityId, *, expected_version: int | None = None
    ) -> R:
        """Soft delete where the table keeps deleted rows, hard delete elsewhere; with
        `expected_version`, only if the row is still at that version (else ConflictError)."""
        self._offered(spec, Crud.DELETE)
        async with self.unit() as unit:
            deleted = await spec.delete(
                unit.session, unit.caller, entity_id, expected_version=expected_version
            )
            return spec.read(deleted)

    async def restore(self, spec: EntitySpec[M, R], entity_id: EntityId) -> R:
        self._offered(spec, Crud.RESTORE)
        async with self.unit() as unit:
            return spec.read(await spec.restore(unit.session, unit.caller, entity_id))

    async def purge(self, spec: EntitySpec[M, R], entity_id: EntityId) -> None:
        """Remove for good (administrators), cascading as the schema says."""
        self._offered(spec, Crud.PURGE)
        async with self.unit() as unit:
            await crud.purge(unit.session, unit.caller, spec, entity_id)

    async def perform(
        self,
        spec: EntitySpec[M, R],
        operation: Performs[M, In],
        entity_id: EntityId,
        data: In | Mapping[str, object],
    ) -> R:
        """Run `operation`, one of `spec`'s named operations, on a row."""
        action: Action[M, In] = spec.action_of(operation)
        payload = crud.parse(action.input, data)
        async with self.unit() as unit:
            return spec.read(await action.run(unit.session, unit.caller, entity_id, payload))

    async def _read(
        self, spec: EntitySpec[M, R], work: Callable[[AsyncSession, Caller], Awaitable[Any]]
    ) -> R:
        """Run `work(session, caller)` (a domain read) in a read unit; its row as `spec`'s."""
        async with self.unit(write=False) as unit:
            return spec.read(await work(unit.session, unit.caller))


__all__ = ["FacadeBase"]
