"""REST routes for every entity, generated from the service layer's entity specs.

Each route calls the `DatabaseService` facade acting as the signed-in user, so access control,
validation and the audit trail are the service layer's, without exception. Per entity:

    GET    /api/v1/{path}                  list: filters, sort, order, cursor, limit, total
    GET    /api/v1/{path}/{id}             one record (ETag: its version)
    POST   /api/v1/{path}                  create (201, Location)
    PATCH  /api/v1/{path}/{id}             partial update; If-Match or body `version`
    DELETE /api/v1/{path}/{id}             soft delete (hard where the table keeps no history)
    POST   /api/v1/{path}/{id}/restore     undo a soft delete
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field, create_model
from sqlalchemy import Boolean, DateTime, Integer, Uuid
from sqlalchemy import Enum as SAEnum

from dreamery.analytics import service as analytics
from dreamery.api.deps import acting
from dreamery.api.problems import RESPONSES
from dreamery.catalog.service import CATEGORIES, ROLES
from dreamery.compliance import service as compliance
from dreamery.core.crud import EntitySpec
from dreamery.core.errors import FieldError, ValidationError
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from dreamery.core.schemas import AwareDatetime, InputSchema
from dreamery.documents import service as documents
from dreamery.models.enums import TaskStatus
from dreamery.notifications import service as notifications
from dreamery.rbac import service as rbac
from dreamery.service import DatabaseService
from dreamery.tasks import service as tasks
from dreamery.users import service as users
from dreamery.workflows import service as workflows

ALL = frozenset({"list", "get", "create", "update", "delete", "restore"})
Acting = Annotated[DatabaseService, Depends(acting)]


@dataclass(frozen=True)
class Resource:
    path: str
    spec: EntitySpec[Any, Any]
    single: str  # facade names: create_<single>, find_<single>_by_id, update_<single>, ...
    plural: str  # find_<plural>
    tag: str
    ops: frozenset[str] = ALL


RESOURCES = [
    Resource("users", users.USERS, "user", "users", "users"),
    Resource("profiles", users.PROFILES, "profile", "profiles", "users"),
    Resource(
        "categories",
        CATEGORIES,
        "category",
        "categories",
        "catalogue",
        frozenset({"create", "update", "delete"}),
    ),
    Resource(
        "roles", ROLES, "role", "roles", "catalogue", frozenset({"create", "update", "delete"})
    ),
    Resource(
        "permissions",
        rbac.PERMISSIONS,
        "permission",
        "permissions",
        "access control",
        ALL - {"restore"},
    ),
    Resource(
        "role-permissions",
        rbac.ROLE_PERMISSIONS,
        "role_permission",
        "role_permissions",
        "access control",
        frozenset({"list", "get", "create", "delete"}),
    ),
    Resource("workflows", workflows.WORKFLOWS, "workflow", "workflows", "workflows"),
    Resource(
        "workflow-steps",
        workflows.WORKFLOW_STEPS,
        "workflow_step",
        "workflow_steps",
        "workflows",
        ALL - {"restore"},
    ),
    Resource(
        "validation-rules",
        workflows.VALIDATION_RULES,
        "validation_rule",
        "validation_rules",
        "workflows",
        ALL - {"restore"},
    ),
    Resource(
        "document-templates",
        documents.DOCUMENT_TEMPLATES,
        "document_template",
        "document_templates",
        "documents",
    ),
    Resource(
        "document-variables",
        documents.DOCUMENT_VARIABLES,
        "document_variable",
        "document_variables",
        "documents",
        ALL - {"restore"},
    ),
    Resource(
        "document-instances",
        documents.DOCUMENT_INSTANCES,
        "document_instance",
        "document_instances",
        "documents",
    ),
    Resource(
        "compliance-requirements",
        compliance.COMPLIANCE_REQUIREMENTS,
        "compliance_requirement",
        "compliance_requirements",
        "compliance",
        ALL - {"restore"},
    ),
    Resource(
        "compliance-records",
        compliance.COMPLIANCE_RECORDS,
        "compliance_record",
        "compliance_records",
        "compliance",
    ),
    Resource(
        "compliance-evidence",
        compliance.COMPLIANCE_EVIDENCE,
        "compliance_evidence",
        "compliance_evidence",
        "compliance",
        ALL - {"restore"},
    ),
    Resource(
        "analytics-metrics",
        analytics.METRICS,
        "analytics_metric",
        "analytics_metrics",
        "analytics",
        ALL - {"restore"},
    ),
    Resource(
        "dashboards",
        analytics.DASHBOARDS,
        "dashboard",
        "dashboards",
        "analytics",
        ALL - {"restore"},
    ),
    Resource(
        "dashboard-widgets",
        analytics.DASHBOARD_WIDGETS,
        "dashboard_widget",
        "dashboard_widgets",
        "analytics",
        ALL - {"restore"},
    ),
    Resource("tasks", tasks.TASKS, "task", "tasks", "tasks"),
    Resource("reminders", tasks.REMINDERS, "reminder", "reminders", "tasks", ALL - {"restore"}),
    Resource(
        "notifications",
        notifications.NOTIFICATIONS,
        "notification",
        "notifications",
        "notifications",
        ALL - {"update"},
    ),
]


def page_model(read: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        f"{read.__name__}Page",
        items=(list[read], ...),  # type: ignore[valid-type]
        next_cursor=(
            str | None,
            Field(description="pass as `cursor` for the next page; null on the last page"),
        ),
        total=(int | None, Field(description="matching records, when with_total=true")),
        limit=(int, ...),
    )


def _page(page: Page[Any]) -> dict[str, Any]:
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "total": page.total,
        "limit": page.limit,
    }


def _filter_type(spec: EntitySpec[Any, Any], name: str) -> Any:
    column_type = spec.column(name).property.columns[0].type
    if isinstance(column_type, SAEnum) and column_type.enum_class is not None:
        return column_type.enum_class
    if isinstance(column_type, Uuid):
        return uuid.UUID
    if isinstance(column_type, Boolean):
        return bool
    if isinstance(column_type, Integer):
        return int
    if isinstance(column_type, DateTime):
        return AwareDatetime
    return Annotated[str, Query(max_length=254)]


def _id_type(spec: EntitySpec[Any, Any]) -> Any:
    if isinstance(spec.column("id").property.columns[0].type, Uuid):
        return Annotated[uuid.UUID, Path(description=f"the {spec.name}'s id")]
    return Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9-]+$")]


def _endpoint(
    name: str, run: Callable[..., Any], params: list[inspect.Parameter], doc: str
) -> Callable[..., Any]:
    """A function FastAPI reads like a hand-written one: typed parameters, a docstring."""

    async def endpoint(**kwargs: Any) -> Any:
        return await run(**kwargs)

    endpoint.__name__ = name
    endpoint.__doc__ = doc
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return endpoint


def _param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def parse_if_match(value: str | None) -> int | None:
    """The version an `If-Match: "3"` header names (None for absent or `*`)."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or int(tag) < 1:
        raise ValidationError(
            [FieldError("header.If-Match", 'must be the ETag of the record, e.g. "3"')]
        )
    return int(tag)


def _etag(response: Response, record: Any) -> None:
    version = getattr(record, "version", None)
    if version is not None:
        response.headers["ETag"] = f'"{version}"'


def add_resource(router: APIRouter, res: Resource) -> None:
    spec = res.spec
    read = spec.read_schema
    id_param = _param("entity_id", _id_type(spec))
    db_param = _param("db", Acting)
    base = f"/{res.path}"
    item = f"{base}/{{entity_id}}"
    label = spec.name.replace("_", " ")

    def method(db: DatabaseService, prefix: str, suffix: str = "") -> Any:
        return getattr(db, f"{prefix}{res.single}{suffix}")

    if "list" in res.ops:
        sorts = tuple(sorted(spec.sorts))
        params = [
            db_param,
            _param("sort", Literal[sorts], spec.default_sort),
            _param("order", Literal["asc", "desc"] | None, None),
            _param("cursor", Annotated[str | None, Query(max_length=2000)], None),
            _param("limit", Annotated[int, Query(ge=1, le=MAX_LIMIT)], DEFAULT_LIMIT),
            _param("with_total", bool, False),
        ]
        if spec.soft_deletes:
            params.append(_param("include_deleted", bool, False))
        filters = sorted(spec.filters)
        params += [_param(f, _filter_type(spec, f) | None, None) for f in filters]
        searchable = res.spec is users.USERS
        if searchable:
            params.append(
                _param(
                    "q",
                    Annotated[
                        str | None,
                        Query(
                            max_length=200,
                            description="search names, email, company and specialties "
                            "(ranked; ignores sort and cursor)",
                        ),
                    ],
                    None,
                )
            )

        async def list_(db: DatabaseService, **query: Any) -> Any:
            order = query.pop("order")
            q = query.pop("q", None)
            if q is not None and q.strip():
                found = await db.search_users(q, role_id=query.get("role_id"), limit=query["limit"])
                return {"items": found, "next_cursor": None, "total": None, "limit": query["limit"]}
            descending = None if order is None else order == "desc"
            return _page(await getattr(db, f"find_{res.plural}")(descending=descending, **query))

        router.add_api_route(
            base,
            _endpoint(f"list_{res.plural}", list_, params, f"List {label}s you may see."),
            methods=["GET"],
            response_model=page_model(read),
            tags=[res.tag],
            summary=f"List {label}s",
            responses=RESPONSES(401, 422),
            operation_id=f"list_{res.plural}",
        )

    if "get" in res.ops:

        async def get(db: DatabaseService, entity_id: Any, response: Response, **q: Any) -> Any:
            record = await method(db, "find_", "_by_id")(
                entity_id, include_deleted=q.get("include_deleted", False)
            )
            _etag(response, record)
            return record

        params = [db_param, id_param, _param("response", Response)]
        if spec.soft_deletes:
            params.append(_param("include_deleted", bool, False))
        router.add_api_route(
            item,
            _endpoint(f"get_{res.single}", get, params, f"One {label}; 404 if you may not see it."),
            methods=["GET"],
            response_model=read,
            tags=[res.tag],
            summary=f"Get a {label}",
            responses=RESPONSES(401, 404, 422),
            operation_id=f"get_{res.single}",
        )

    if "create" in res.ops:

        async def create(
            db: DatabaseService, data: BaseModel, request: Request, response: Response
        ) -> Any:
            record = await method(db, "create_")(data)
            response.headers["Location"] = f"{request.url.path}/{record.id}"
            _etag(response, record)
            return record

        params = [
            db_param,
            _param("data", Annotated[spec.create_schema, Body()]),
            _param("request", Request),
            _param("response", Response),
        ]
        router.add_api_route(
            base,
            _endpoint(f"create_{res.single}", create, params, f"Create a {label}."),
            methods=["POST"],
            status_code=201,
            response_model=read,
            tags=[res.tag],
            summary=f"Create a {label}",
            responses=RESPONSES(401, 403, 404, 409, 422),
            operation_id=f"create_{res.single}",
        )

    if "update" in res.ops:

        async def update(
            db: DatabaseService,
            entity_id: Any,
            data: BaseModel,
            response: Response,
            if_match: str | None,
        ) -> Any:
            record = await method(db, "update_")(
                entity_id, data, expected_version=parse_if_match(if_match)
            )
            _etag(response, record)
            return record

        params = [
            db_param,
            id_param,
            _param("data", Annotated[spec.update_schema, Body()]),
            _param("response", Response),
            _param(
                "if_match",
                Annotated[
                    str | None,
                    Header(
                        max_length=64,
                        description='the ETag (version) the change is based on, e.g. "3"; '
                        "409 if the record has changed since",
                    ),
                ],
                None,
            ),
        ]
        router.add_api_route(
            item,
            _endpoint(
                f"update_{res.single}",
                update,
                params,
                f"Change some fields of a {label}. Send `If-Match` or `version` to be sure "
                "nobody changed it meanwhile.",
            ),
            methods=["PATCH"],
            response_model=read,
            tags=[res.tag],
            summary=f"Update a {label}",
            responses=RESPONSES(401, 403, 404, 409, 422),
            operation_id=f"update_{res.single}",
        )

    if "delete" in res.ops:

        async def delete(db: DatabaseService, entity_id: Any) -> Response:
            await method(db, "delete_")(entity_id)
            return Response(status_code=204)

        soft = "soft: it can be restored" if spec.soft_deletes else "for good"
        router.add_api_route(
            item,
            _endpoint(
                f"delete_{res.single}", delete, [db_param, id_param], f"Delete a {label} ({soft})."
            ),
            methods=["DELETE"],
            status_code=204,
            response_class=Response,
            tags=[res.tag],
            summary=f"Delete a {label}",
            responses=RESPONSES(401, 403, 404, 409, 422),
            operation_id=f"delete_{res.single}",
        )

    if "restore" in res.ops and spec.soft_deletes:

        async def restore(db: DatabaseService, entity_id: Any) -> Any:
            return await method(db, "restore_")(entity_id)

        router.add_api_route(
            f"{item}/restore",
            _endpoint(
                f"restore_{res.single}",
                restore,
                [db_param, id_param],
                f"Undo the deletion of a {label}.",
            ),
            methods=["POST"],
            response_model=read,
            tags=[res.tag],
            summary=f"Restore a {label}",
            responses=RESPONSES(401, 403, 404, 409, 422),
            operation_id=f"restore_{res.single}",
        )


class StatusChange(InputSchema):
    status: TaskStatus
    version: int | None = Field(default=None, ge=1)


class ReadFlag(InputSchema):
    read: bool = True


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    for res in RESOURCES:
        add_resource(router, res)

    @router.post(
        "/tasks/{task_id}/status",
        response_model=tasks.TASKS.read_schema,
        tags=["tasks"],
        summary="Move a task to another status",
        responses=RESPONSES(401, 403, 404, 409, 422),
    )
    async def change_task_status(task_id: uuid.UUID, data: StatusChange, db: Acting) -> Any:
        """Allowed moves: pending → in progress → completed, and on to cancelled or back;
        `completed_at` follows."""
        return await db.update_task_status(task_id, data.status, expected_version=data.version)

    @router.post(
        "/notifications/{notification_id}/read",
        response_model=notifications.NOTIFICATIONS.read_schema,
        tags=["notifications"],
        summary="Mark a notification read or unread",
        responses=RESPONSES(401, 403, 404, 422),
    )
    async def mark_read(
        notification_id: uuid.UUID, db: Acting, data: ReadFlag | None = None
    ) -> Any:
        return await db.mark_notification_read(notification_id, read=data.read if data else True)

    from dreamery.audit.schemas import AuditLogRead

    @router.get(
        "/audit-logs",
        response_model=page_model(AuditLogRead),
        tags=["audit"],
        summary="The audit trail (administrators and auditors)",
        responses=RESPONSES(401, 403, 422),
    )
    async def list_audit_logs(
        db: Acting,
        resource: Annotated[str | None, Query(max_length=100)] = None,
        resource_id: Annotated[str | None, Query(max_length=100)] = None,
        actor_id: uuid.UUID | None = None,
        since: AwareDatetime | None = None,
        cursor: Annotated[str | None, Query(max_length=2000)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> Any:
        """Newest first; rows you may not read are not listed."""
        return _page(
            await db.find_audit_logs(
                resource=resource,
                resource_id=resource_id,
                actor_id=actor_id,
                since=since,
                cursor=cursor,
                limit=limit,
            )
        )

    return router
