"""`DatabaseService`: the public facade over every domain service.

It holds no domain logic: each method opens one unit of work, resolves who is acting, calls
the domain service and returns Read schemas (never live ORM objects).

    async with DatabaseService() as db:                 # DATABASE_URL from settings
        john = await db.create_user({...})
        as_john = db.acting_as(john.id)                 # same database, John's permissions
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from dreamery.analytics import service as analytics
from dreamery.audit import service as audit
from dreamery.audit.specs import AUDIT_LOGS
from dreamery.auth import passwords
from dreamery.auth import service as auth
from dreamery.auth.schemas import HubSettings, HubSettingsUpdate, Registration
from dreamery.catalog.service import CATEGORIES, ROLES
from dreamery.compliance import service as compliance
from dreamery.compliance.schemas import ComplianceRequirementRead
from dreamery.core import crud
from dreamery.core.config import get_settings
from dreamery.core.context import SYSTEM_ACTOR, Actor, RequestContext
from dreamery.core.crud import Caller, EntitySpec
from dreamery.core.db import create_engine, create_sessionmaker, unit_of_work
from dreamery.core.errors import FieldError, PermissionDeniedError, ValidationError
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.documents import service as documents
from dreamery.models import AuditLog, ComplianceRecord, User
from dreamery.models.enums import AuditAction, MetricCategory, PermissionAction, TaskStatus
from dreamery.notifications import service as notifications
from dreamery.rbac import service as rbac
from dreamery.rbac.cache import PermissionCache
from dreamery.tasks import service as tasks
from dreamery.users import service as users
from dreamery.users.schemas import UserReadFull, UserReadWithProfile, UserReadWithRole
from dreamery.workflows import service as workflows

T = TypeVar("T")
Work = Callable[[AsyncSession, Caller], Awaitable[T]]
Custom = Callable[..., Awaitable[Any]]


class _Bound:
    """Descriptor base: `spec`-bound operations become methods of the facade; `custom` is the
    domain service function that replaces the generic one where the domain needs more."""

    def __init__(self, spec: EntitySpec[Any, Any], custom: Custom | None = None) -> None:
        self.spec = spec
        self.custom = custom


class _Create(_Bound):
    def __get__(self, db: DatabaseService, _owner: Any) -> Callable[[Any], Awaitable[Any]]:
        spec, custom = self.spec, self.custom

        async def create(data: Any) -> Any:
            async def work(session: AsyncSession, caller: Caller) -> Any:
                obj = await (
                    custom(session, caller, data)
                    if custom
                    else crud.create(session, caller, spec, data)
                )
                return crud.read(spec, obj)

            return await db._run(work, spec=spec)

        return create


class _Get(_Bound):
    def __get__(self, db: DatabaseService, _owner: Any) -> Callable[..., Awaitable[Any]]:
        spec = self.spec

        async def get(entity_id: Any, *, include_deleted: bool = False) -> Any:
            async def work(session: AsyncSession, caller: Caller) -> Any:
                obj = await crud.load(
                    session, caller, spec, entity_id, include_deleted=include_deleted
                )
                return crud.read(spec, obj)

            return await db._run(work, write=False)

        return get


class _Find(_Bound):
    def __get__(self, db: DatabaseService, _owner: Any) -> Callable[..., Awaitable[Page[Any]]]:
        spec = self.spec

        async def find(
            *,
            sort: str | None = None,
            descending: bool | None = None,
            cursor: str | None = None,
            limit: int = DEFAULT_LIMIT,
            with_total: bool = False,
            include_deleted: bool = False,
            **filters: Any,
        ) -> Page[Any]:
            async def work(session: AsyncSession, caller: Caller) -> Page[Any]:
                return await crud.find(
                    session,
                    caller,
                    spec,
                    filters=filters,
                    sort=sort,
                    descending=descending,
                    cursor=cursor,
                    limit=limit,
                    with_total=with_total,
                    include_deleted=include_deleted,
                )

            return await db._run(work, write=False)

        return find


class _Update(_Bound):
    def __get__(self, db: DatabaseService, _owner: Any) -> Callable[..., Awaitable[Any]]:
        spec, custom = self.spec, self.custom

        async def update(entity_id: Any, data: Any, *, expected_version: int | None = None) -> Any:
            async def work(session: AsyncSession, caller: Caller) -> Any:
                change = custom or functools.partial(crud.update, spec=spec)
                obj = await change(
                    session,
                    caller,
                    entity_id=entity_id,
                    data=data,
                    expected_version=expected_version,
                )
                return crud.read(spec, obj)

            return await db._run(work, spec=spec)

        return update


class _ById(_Bound):
    """An operation on one row by id that returns it: delete or restore (`operation`)."""

    operation: Callable[..., Awaitable[Any]]

    def __get__(self, db: DatabaseService, _owner: Any) -> Callable[[Any], Awaitable[Any]]:
        spec = self.spec
        change = self.custom or functools.partial(type(self).operation, spec=spec)

        async def run(entity_id: Any) -> Any:
            async def work(session: AsyncSession, caller: Caller) -> Any:
                return crud.read(spec, await change(session, caller, entity_id=entity_id))

            return await db._run(work, spec=spec)

        return run


class _Delete(_ById):
    operation = staticmethod(crud.delete)


class _Restore(_ById):
    operation = staticmethod(crud.restore)


class _Purge(_Bound):
    def __get__(self, db: DatabaseService, _owner: Any) -> Callable[[Any], Awaitable[None]]:
        spec = self.spec

        async def purge(entity_id: Any) -> None:
            async def work(session: AsyncSession, caller: Caller) -> None:
                await crud.purge(session, caller, spec, entity_id)

            await db._run(work, spec=spec)

        return purge


class DatabaseService:
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

    async def __aenter__(self) -> DatabaseService:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_cache:
            await self._permissions.close()
        if self._owns_engine:
            await self.engine.dispose()

    disconnect = close

    def acting_as(
        self, user_id: uuid.UUID | str, request: RequestContext | None = None
    ) -> DatabaseService:
        """The same service, acting with `user_id`'s permissions."""
        return self._derived(uuid.UUID(str(user_id)), request or self._request)

    def with_request(self, request: RequestContext) -> DatabaseService:
        """The same service and actor, recording `request` (id, IP, user agent) in audit rows."""
        return self._derived(self._actor_id, request)

    def _derived(self, actor_id: uuid.UUID | None, request: RequestContext) -> DatabaseService:
        """A view on the same engine and permission cache (closing it closes neither)."""
        return DatabaseService(
            engine=self.engine, actor_id=actor_id, request=request, _permissions=self._permissions
        )

    async def invalidate_permissions(self) -> None:
        await self._permissions.invalidate()

    async def _actor(self, session: AsyncSession) -> Actor:
        if self._actor_id is None:
            return SYSTEM_ACTOR
        return await rbac.actor_for(session, self._actor_id, self._permissions)

    async def _run(
        self, work: Work[T], *, write: bool = True, spec: EntitySpec[Any, Any] | None = None
    ) -> T:
        """One unit of work; a refusal is itself audited, in a transaction of its own."""
        try:
            async with unit_of_work(self._sessions, write=write) as session:
                caller = Caller(await self._actor(session), self._request)
                result = await work(session, caller)
        except PermissionDeniedError as denied:
            await self._record_denial(denied)
            raise
        if write and spec is not None and spec.name in _WRITES_TO_PERMISSIONS:
            await self.invalidate_permissions()
        return result

    async def _record_denial(self, denied: PermissionDeniedError) -> None:
        async with unit_of_work(self._sessions) as session:
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

    # --- users ---------------------------------------------------------------------------
    create_user = _Create(users.USERS, users.create_user)
    find_user_by_id = _Get(users.USERS)
    update_user = _Update(users.USERS, users.update_user)
    delete_user = _Delete(users.USERS, users.delete_user)
    restore_user = _Restore(users.USERS, users.restore_user)
    purge_user = _Purge(users.USERS)

    async def find_users(
        self,
        *,
        include: Sequence[str] = (),
        sort: str | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Any,
    ) -> Page[Any]:
        """Users, newest first; `include=("profile", "role")` loads those in two more
        statements, whatever the page size."""
        loaders = {"profile": selectinload(User.profile), "role": selectinload(User.role)}
        unknown = set(include) - set(loaders)
        if unknown:
            raise ValidationError(
                [
                    FieldError(
                        "include",
                        f"unknown relation(s) {sorted(unknown)}; choose from {sorted(loaders)}",
                    )
                ]
            )

        async def work(session: AsyncSession, caller: Caller) -> Page[Any]:
            return await crud.find(
                session,
                caller,
                users.USERS,
                filters=filters,
                sort=sort,
                descending=descending,
                cursor=cursor,
                limit=limit,
                with_total=with_total,
                include_deleted=include_deleted,
                options=[loaders[name] for name in include],
                read_schema=_full_user_schema(include),
            )

        return await self._run(work, write=False)

    async def find_user_by_email(self, email: str) -> Any:
        async def work(session: AsyncSession, caller: Caller) -> Any:
            return crud.read(users.USERS, await users.find_user_by_email(session, caller, email))

        return await self._run(work, write=False)

    async def search_users(
        self, query: str, role_id: str | None = None, limit: int = 20
    ) -> list[Any]:
        async def work(session: AsyncSession, caller: Caller) -> list[Any]:
            found = await users.search_users(session, caller, query, role_id=role_id, limit=limit)
            return [crud.read(users.USERS, user) for user in found]

        return await self._run(work, write=False)

    create_profile = _Create(users.PROFILES, users.create_profile)
    find_profile_by_id = _Get(users.PROFILES)
    find_profiles = _Find(users.PROFILES)
    update_profile = _Update(users.PROFILES, users.update_profile)
    delete_profile = _Delete(users.PROFILES)
    restore_profile = _Restore(users.PROFILES)
    purge_profile = _Purge(users.PROFILES)

    # --- catalogue and access control ---------------------------------------------------
    create_category = _Create(CATEGORIES)
    find_category_by_id = _Get(CATEGORIES)
    find_categories = _Find(CATEGORIES)
    update_category = _Update(CATEGORIES)
    delete_category = _Delete(CATEGORIES)

    create_role = _Create(ROLES)
    find_role_by_id = _Get(ROLES)
    find_roles = _Find(ROLES)
    update_role = _Update(ROLES)
    delete_role = _Delete(ROLES)

    async def find_roles_by_category(self, category_id: str) -> list[Any]:
        return (await self.find_roles(category_id=category_id, limit=100)).items

    create_permission = _Create(rbac.PERMISSIONS)
    find_permission_by_id = _Get(rbac.PERMISSIONS)
    find_permissions = _Find(rbac.PERMISSIONS)
    update_permission = _Update(rbac.PERMISSIONS)
    delete_permission = _Delete(rbac.PERMISSIONS)

    create_role_permission = _Create(rbac.ROLE_PERMISSIONS)
    find_role_permission_by_id = _Get(rbac.ROLE_PERMISSIONS)
    find_role_permissions = _Find(rbac.ROLE_PERMISSIONS)
    delete_role_permission = _Delete(rbac.ROLE_PERMISSIONS)

    # --- workflows -------------------------------------------------------------------------
    create_workflow = _Create(workflows.WORKFLOWS, workflows.create_workflow)
    find_workflow_by_id = _Get(workflows.WORKFLOWS)
    find_workflows = _Find(workflows.WORKFLOWS)
    update_workflow = _Update(workflows.WORKFLOWS)
    delete_workflow = _Delete(workflows.WORKFLOWS)
    restore_workflow = _Restore(workflows.WORKFLOWS)
    purge_workflow = _Purge(workflows.WORKFLOWS)

    async def find_workflows_by_role(self, role_id: str) -> list[Any]:
        return (await self.find_workflows(role_id=role_id, limit=100)).items

    create_workflow_step = _Create(workflows.WORKFLOW_STEPS)
    find_workflow_step_by_id = _Get(workflows.WORKFLOW_STEPS)
    find_workflow_steps = _Find(workflows.WORKFLOW_STEPS)
    update_workflow_step = _Update(workflows.WORKFLOW_STEPS)
    delete_workflow_step = _Delete(workflows.WORKFLOW_STEPS)

    create_validation_rule = _Create(workflows.VALIDATION_RULES)
    find_validation_rule_by_id = _Get(workflows.VALIDATION_RULES)
    find_validation_rules = _Find(workflows.VALIDATION_RULES)
    update_validation_rule = _Update(workflows.VALIDATION_RULES)
    delete_validation_rule = _Delete(workflows.VALIDATION_RULES)

    # --- documents -------------------------------------------------------------------------
    create_document_template = _Create(
        documents.DOCUMENT_TEMPLATES, documents.create_document_template
    )
    find_document_template_by_id = _Get(documents.DOCUMENT_TEMPLATES)
    find_document_templates = _Find(documents.DOCUMENT_TEMPLATES)
    update_document_template = _Update(documents.DOCUMENT_TEMPLATES)
    delete_document_template = _Delete(documents.DOCUMENT_TEMPLATES)
    restore_document_template = _Restore(documents.DOCUMENT_TEMPLATES)
    purge_document_template = _Purge(documents.DOCUMENT_TEMPLATES)

    async def find_document_templates_by_role(self, role_id: str) -> list[Any]:
        return (await self.find_document_templates(role_id=role_id, limit=100)).items

    create_document_variable = _Create(documents.DOCUMENT_VARIABLES)
    find_document_variable_by_id = _Get(documents.DOCUMENT_VARIABLES)
    find_document_variables = _Find(documents.DOCUMENT_VARIABLES)
    update_document_variable = _Update(documents.DOCUMENT_VARIABLES)
    delete_document_variable = _Delete(documents.DOCUMENT_VARIABLES)

    create_document_instance = _Create(documents.DOCUMENT_INSTANCES)
    find_document_instance_by_id = _Get(documents.DOCUMENT_INSTANCES)
    find_document_instances = _Find(documents.DOCUMENT_INSTANCES)
    update_document_instance = _Update(documents.DOCUMENT_INSTANCES)
    delete_document_instance = _Delete(documents.DOCUMENT_INSTANCES)
    restore_document_instance = _Restore(documents.DOCUMENT_INSTANCES)
    purge_document_instance = _Purge(documents.DOCUMENT_INSTANCES)

    # --- compliance ------------------------------------------------------------------------
    create_compliance_requirement = _Create(compliance.COMPLIANCE_REQUIREMENTS)
    find_compliance_requirement_by_id = _Get(compliance.COMPLIANCE_REQUIREMENTS)
    find_compliance_requirements = _Find(compliance.COMPLIANCE_REQUIREMENTS)
    update_compliance_requirement = _Update(compliance.COMPLIANCE_REQUIREMENTS)
    delete_compliance_requirement = _Delete(compliance.COMPLIANCE_REQUIREMENTS)

    create_compliance_record = _Create(
        compliance.COMPLIANCE_RECORDS, compliance.create_compliance_record
    )
    find_compliance_record_by_id = _Get(compliance.COMPLIANCE_RECORDS)
    find_compliance_records = _Find(compliance.COMPLIANCE_RECORDS)
    update_compliance_record = _Update(compliance.COMPLIANCE_RECORDS)
    delete_compliance_record = _Delete(compliance.COMPLIANCE_RECORDS)
    restore_compliance_record = _Restore(compliance.COMPLIANCE_RECORDS)
    purge_compliance_record = _Purge(compliance.COMPLIANCE_RECORDS)

    async def find_compliance_records_by_user(self, user_id: uuid.UUID | str) -> list[Any]:
        """A user's records, each with its requirement."""

        async def work(session: AsyncSession, caller: Caller) -> list[Any]:
            page = await crud.find(
                session,
                caller,
                compliance.COMPLIANCE_RECORDS,
                filters={"user_id": uuid.UUID(str(user_id))},
                limit=100,
                options=[selectinload(ComplianceRecord.requirement)],
                read_schema=_RecordWithRequirement,
            )
            return page.items

        return await self._run(work, write=False)

    create_compliance_evidence = _Create(compliance.COMPLIANCE_EVIDENCE)
    find_compliance_evidence_by_id = _Get(compliance.COMPLIANCE_EVIDENCE)
    find_compliance_evidence = _Find(compliance.COMPLIANCE_EVIDENCE)
    update_compliance_evidence = _Update(compliance.COMPLIANCE_EVIDENCE)
    delete_compliance_evidence = _Delete(compliance.COMPLIANCE_EVIDENCE)

    # --- analytics -------------------------------------------------------------------------
    create_analytics_metric = _Create(analytics.METRICS)
    find_analytics_metric_by_id = _Get(analytics.METRICS)
    find_analytics_metrics = _Find(analytics.METRICS)
    update_analytics_metric = _Update(analytics.METRICS)
    delete_analytics_metric = _Delete(analytics.METRICS)

    async def find_metrics_by_role(
        self, role_id: str, category: MetricCategory | str | None = None, *, limit: int = 100
    ) -> list[Any]:
        filters: dict[str, Any] = {"role_id": role_id}
        if category is not None:
            filters["category"] = MetricCategory(category)
        return (await self.find_analytics_metrics(limit=limit, **filters)).items

    create_dashboard = _Create(analytics.DASHBOARDS, analytics.create_dashboard)
    find_dashboard_by_id = _Get(analytics.DASHBOARDS)
    find_dashboards = _Find(analytics.DASHBOARDS)
    update_dashboard = _Update(analytics.DASHBOARDS)
    delete_dashboard = _Delete(analytics.DASHBOARDS)

    create_dashboard_widget = _Create(analytics.DASHBOARD_WIDGETS)
    find_dashboard_widget_by_id = _Get(analytics.DASHBOARD_WIDGETS)
    find_dashboard_widgets = _Find(analytics.DASHBOARD_WIDGETS)
    update_dashboard_widget = _Update(analytics.DASHBOARD_WIDGETS)
    delete_dashboard_widget = _Delete(analytics.DASHBOARD_WIDGETS)

    # --- tasks and reminders ---------------------------------------------------------------
    create_task = _Create(tasks.TASKS)
    find_task_by_id = _Get(tasks.TASKS)
    find_tasks = _Find(tasks.TASKS)
    update_task = _Update(tasks.TASKS)
    delete_task = _Delete(tasks.TASKS)
    restore_task = _Restore(tasks.TASKS)
    purge_task = _Purge(tasks.TASKS)

    async def find_tasks_by_user(self, user_id: uuid.UUID | str, **kwargs: Any) -> list[Any]:
        return (await self.find_tasks(user_id=uuid.UUID(str(user_id)), limit=100, **kwargs)).items

    async def find_tasks_by_role(self, role_id: str, **kwargs: Any) -> list[Any]:
        return (await self.find_tasks(role_id=role_id, limit=100, **kwargs)).items

    async def update_task_status(
        self, task_id: Any, status: TaskStatus | str, *, expected_version: int | None = None
    ) -> Any:
        async def work(session: AsyncSession, caller: Caller) -> Any:
            task = await tasks.update_task_status(
                session, caller, task_id, status, expected_version=expected_version
            )
            return crud.read(tasks.TASKS, task)

        return await self._run(work)

    create_reminder = _Create(tasks.REMINDERS)
    find_reminder_by_id = _Get(tasks.REMINDERS)
    find_reminders = _Find(tasks.REMINDERS)
    update_reminder = _Update(tasks.REMINDERS)
    delete_reminder = _Delete(tasks.REMINDERS)

    # --- notifications ---------------------------------------------------------------------
    create_notification = _Create(notifications.NOTIFICATIONS)
    find_notification_by_id = _Get(notifications.NOTIFICATIONS)
    find_notifications = _Find(notifications.NOTIFICATIONS)
    delete_notification = _Delete(notifications.NOTIFICATIONS)
    restore_notification = _Restore(notifications.NOTIFICATIONS)
    purge_notification = _Purge(notifications.NOTIFICATIONS)

    async def mark_notification_read(self, notification_id: Any, *, read: bool = True) -> Any:
        async def work(session: AsyncSession, caller: Caller) -> Any:
            found = await notifications.mark_notification_read(
                session, caller, notification_id, read=read
            )
            return crud.read(notifications.NOTIFICATIONS, found)

        return await self._run(work)

    # --- audit -----------------------------------------------------------------------------
    async def find_audit_logs(
        self,
        *,
        resource: str | None = None,
        resource_id: str | None = None,
        actor_id: uuid.UUID | str | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> Page[Any]:
        where = [AuditLog.timestamp >= since] if since is not None else []
        filters: dict[str, Any] = {"resource": resource, "resource_id": resource_id}
        if actor_id is not None:
            filters["actor"] = str(actor_id)

        async def work(session: AsyncSession, caller: Caller) -> Page[Any]:
            return await crud.find(
                session,
                caller,
                AUDIT_LOGS,
                filters=filters,
                where=where,
                cursor=cursor,
                limit=limit,
            )

        return await self._run(work, write=False)

    async def verify_audit_trail(self) -> audit.Verdict:
        """Recompute the audit hash chain (administrators): the first bad row, if any."""
        if self._actor_id is not None:
            async with unit_of_work(self._sessions, write=False) as session:
                actor = await self._actor(session)
            if not actor.is_privileged:
                raise PermissionDeniedError(
                    "only administrators verify the audit trail", resource="audit_log"
                )
        async with unit_of_work(self._sessions, write=False) as session:
            return await audit.verify(session)

    # --- sign-in ---------------------------------------------------------------------------
    async def register(self, data: Registration | dict[str, Any]) -> Any:
        """A professional signs themselves up (when self-registration is open)."""
        payload = crud.parse(Registration, data)
        assert isinstance(payload, Registration)
        passwords.check_policy(payload.password, email=str(payload.email))
        password_hash = await passwords.hash_password(payload.password)
        async with unit_of_work(self._sessions) as session:
            user = await auth.register(session, self._request, payload, password_hash)
            return crud.read(users.USERS, user)

    async def sign_in(self, email: str, password: str) -> auth.Session:
        """Check a password and open a session; a wrong email or password are one error."""
        user_id, stored = None, None
        if "\x00" not in email and len(email) <= 254:  # no such address can exist
            async with unit_of_work(self._sessions, write=False) as session:
                user = await auth.user_for_sign_in(session, email)
                if user is not None:
                    user_id = user.id
                    stored = user.password_hash if user.is_active else None
        ok, new_hash = await passwords.verify_password(stored, password)
        if not ok or user_id is None:
            raise auth.AuthenticationError(auth.WRONG_CREDENTIALS)
        async with unit_of_work(self._sessions) as session:
            found = await session.get(User, user_id)
            if found is None or found.deleted_at is not None or not found.is_active:
                # Removed or deactivated between the password check and now.
                raise auth.AuthenticationError(auth.WRONG_CREDENTIALS)
            return await auth.record_sign_in(
                session, self._request, found, new_hash=new_hash, settings=get_settings()
            )

    async def refresh_session(self, refresh_token: str) -> auth.Session:
        """Trade a refresh token for the next one (rotation with reuse detection)."""
        async with unit_of_work(self._sessions) as session:
            renewed = await auth.rotate(
                session, self._request, refresh_token, settings=get_settings()
            )
        if renewed is None:
            raise auth.AuthenticationError(
                "the refresh token is expired, revoked or unknown; sign in again"
            )
        return renewed

    async def sign_out(self, refresh_token: str, *, everywhere: bool = False) -> None:
        user_id = self._require_user()
        async with unit_of_work(self._sessions) as session:
            await auth.sign_out(session, user_id, refresh_token, everywhere=everywhere)

    async def change_password(self, current_password: str, new_password: str) -> None:
        """The acting user's new password; every one of their sessions ends."""
        user_id = self._require_user()
        async with unit_of_work(self._sessions, write=False) as session:
            user = await session.get(User, user_id)
            stored, email = (user.password_hash, user.email) if user else (None, "")
        ok, _ = await passwords.verify_password(stored, current_password)
        if not ok:
            raise ValidationError([FieldError("current_password", "is not your current password")])
        passwords.check_policy(new_password, field="new_password", email=email)
        new_hash = await passwords.hash_password(new_password)
        await self._run(
            lambda session, caller: auth.set_password(session, caller, user_id, new_hash)
        )

    async def set_user_password(self, user_id: uuid.UUID | str, password: str) -> None:
        """Set someone's password as an administrator (or the system): policy still applies."""
        passwords.check_policy(password)
        new_hash = await passwords.hash_password(password)
        target = uuid.UUID(str(user_id))

        async def work(session: AsyncSession, caller: Caller) -> None:
            user = await crud.load(session, caller, users.USERS, target)
            await crud.authorize(session, caller, users.USERS, PermissionAction.UPDATE, user)
            if not caller.actor.is_privileged and caller.actor.user_id != target:
                raise PermissionDeniedError(
                    "only administrators set other users' passwords", resource="user"
                )
            await auth.set_password(session, caller, target, new_hash)

        await self._run(work)

    async def hub_settings(self) -> HubSettings:
        async with unit_of_work(self._sessions, write=False) as session:
            return await auth.read_settings(session)

    async def update_hub_settings(self, data: HubSettingsUpdate | dict[str, Any]) -> HubSettings:
        payload = crud.parse(HubSettingsUpdate, data)
        changes = payload.model_dump(exclude_unset=True, exclude_none=True)
        return await self._run(
            lambda session, caller: auth.write_settings(session, caller, changes)
        )

    async def find_me(self) -> Any:
        """The acting user with profile and role."""
        user_id = self._require_user()
        page = await self.find_users(id=user_id, include=("profile", "role"), limit=1)
        if not page.items:
            raise auth.AuthenticationError("your account is gone; sign in again")
        return page.items[0]

    def _require_user(self) -> uuid.UUID:
        if self._actor_id is None:
            raise auth.AuthenticationError("sign in first")
        return self._actor_id

    # --- health ----------------------------------------------------------------------------
    async def health_check(self) -> dict[str, Any]:
        """Whether the database answers, and how fast (milliseconds)."""
        import time

        started = time.perf_counter()
        try:
            async with self._sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception as error:  # health checks report, they do not raise
            return {
                "status": "unhealthy",
                "database": self.engine.dialect.name,
                "error": f"{type(error).__name__}: {error}",
            }
        return {
            "status": "healthy",
            "database": self.engine.dialect.name,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        }


class _RecordWithRequirement(compliance.COMPLIANCE_RECORDS.read_schema):  # type: ignore[name-defined,misc]
    requirement: ComplianceRequirementRead


def _full_user_schema(include: Sequence[str]) -> type[BaseModel]:
    wanted = frozenset(include)
    if wanted == {"profile", "role"}:
        return UserReadFull
    if wanted == {"profile"}:
        return UserReadWithProfile
    if wanted == {"role"}:
        return UserReadWithRole
    return users.USERS.read_schema


_WRITES_TO_PERMISSIONS = frozenset({"permission", "role_permission", "role"})


__all__ = ["DatabaseService"]
