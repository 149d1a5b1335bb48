"""REST routes for an entity, mounted from its spec onto its domain's router.

`mount_entity(router, SPEC)` adds what the spec offers, and one route per named operation:

    GET    /{path}                  list: filters, sort, order, cursor, limit, total (and `q`,
                                    a ranked search, where the domain registered one)
    GET    /{path}/{id}             one record (ETag: its version)
    POST   /{path}                  create (201, Location)
    PATCH  /{path}/{id}             partial update; If-Match or body `version` (428 without)
    DELETE /{path}/{id}             soft delete (hard where the table keeps no history); If-Match
                                    or body `version` (428 without)
    POST   /{path}/{id}/restore     undo a soft delete
    POST   /{path}/{id}/{action}    a named operation, e.g. /tasks/{id}/status

Every route calls the spec's operations with the request's unit of work, so the domain's
access rules, validation and audit trail apply. The request and query types are the spec's
own schemas; the functions below are written with them as their annotations, which is why
this module keeps its annotations as objects (no `from __future__ import annotations`).
"""

import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from dreamery.core import crud
from dreamery.core.entities import Action, Crud, EntitySpec
from dreamery.core.errors import FieldError
from dreamery.core.http.checks import Checker, check_too
from dreamery.core.http.problems import RESPONSES
from dreamery.core.http.units import (
    SignedIn,
    caller_unit,
    parse_if_match,
    precondition,
    set_etag,
)
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from dreamery.core.schemas import VersionInput

IfMatch = Annotated[
    str | None,
    Header(
        max_length=64,
        description='the ETag (version) the change is based on, e.g. "3"; 409 if the record '
        "has changed since. A PATCH or DELETE needs it (or `version` in the body): 428 "
        "without either. `*`: whatever the version",
    ),
]


def page_model(read: Any, name: str | None = None) -> type[BaseModel]:
    """`{items, next_cursor, total, limit}` of `read` rows (a model, or any type pydantic
    reads, such as an annotated union then given its `name`)."""
    return create_model(
        name or f"{read.__name__}Page",
        items=(list[read], ...),
        next_cursor=(
            str | None,
            Field(description="pass as `cursor` for the next page; null on the last page"),
        ),
        total=(int | None, Field(description="matching records, when with_total=true")),
        limit=(int, ...),
    )


def page_body(page: Page[Any]) -> dict[str, Any]:
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "total": page.total,
        "limit": page.limit,
    }


def _query_type(kind: Any) -> Any:
    return Annotated[str, Field(max_length=254)] if kind is str else kind


def list_query_model(spec: EntitySpec[Any, Any]) -> type[BaseModel]:
    """The list route's query parameters: paging, sorting and the spec's filters."""
    sorts = tuple(sorted(spec.sorts))
    fields: dict[str, Any] = {
        "sort": (Literal[sorts], spec.default_sort),
        "order": (Literal["asc", "desc"] | None, None),
        "cursor": (str | None, Field(default=None, max_length=2000)),
        "limit": (int, Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)),
        "with_total": (bool, False),
    }
    if spec.soft_deletes:
        fields["include_deleted"] = (bool, False)
    for name in sorted(spec.filter_types):
        fields[name] = (_query_type(spec.filter_types[name]) | None, None)
    if spec.search is not None:
        fields["q"] = (
            str | None,
            Field(
                default=None,
                max_length=200,
                description="ranked text search (ignores sort and cursor)",
            ),
        )
    model: type[BaseModel] = create_model(
        f"{spec.name.title().replace('_', '')}ListQuery",
        __config__=ConfigDict(extra="ignore"),
        **fields,
    )
    return model


def _id_type(spec: EntitySpec[Any, Any]) -> Any:
    if spec.column("id").type.python_type is uuid.UUID:
        return Annotated[uuid.UUID, Path(description=f"the {spec.label}'s id")]
    return Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9-]+$")]


def mount_entity(
    router: APIRouter, spec: EntitySpec[Any, Any], *, only: frozenset[Crud] | None = None
) -> None:
    """Mount the generic routes `spec` offers (those in `only`, when given) and a route for
    each of its named operations onto `router`."""
    offered = spec.offers & only if only is not None else spec.offers
    for operation in (Crud.LIST, Crud.GET, Crud.CREATE, Crud.UPDATE, Crud.DELETE, Crud.RESTORE):
        if operation in offered:
            _MOUNT[operation](router, spec)
    for action in spec.actions.values():
        _mount_action(router, spec, action)


def _list(router: APIRouter, spec: EntitySpec[Any, Any]) -> None:
    ListQuery = list_query_model(spec)

    async def list_entities(
        query: Annotated[ListQuery, Query()],  # type: ignore[valid-type]
        unit: SignedIn,
    ) -> Any:
        given = query.model_dump()  # type: ignore[attr-defined]
        filters, paging = split_list_query(given)
        q = given.get("q")
        if spec.search is not None and q is not None and q.strip():
            found = await spec.search(
                unit.session, unit.caller, q, filters=filters, limit=given["limit"]
            )
            return {"items": found, "next_cursor": None, "total": None, "limit": given["limit"]}
        page = await crud.find(unit.session, unit.caller, spec, filters=filters, **paging)
        return page_body(page)

    list_entities.__doc__ = f"List {spec.label}s you may see."
    router.add_api_route(
        f"/{spec.path}",
        list_entities,
        methods=["GET"],
        response_model=page_model(spec.read_schema),
        tags=[spec.group],
        summary=f"List {spec.label}s",
        responses=RESPONSES(400, 401, 422),
        operation_id=f"list_{spec.plural}",
    )


PAGING = frozenset({"sort", "order", "cursor", "limit", "with_total", "include_deleted", "q"})


def split_list_query(given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A list query's values as (filters, paging arguments of `crud.find`): whatever is not
    paging or the search text filters the rows."""
    filters = {k: v for k, v in given.items() if k not in PAGING}
    order = given["order"]
    paging = {
        "sort": given["sort"],
        "descending": None if order is None else order == "desc",
        "cursor": given["cursor"],
        "limit": given["limit"],
        "with_total": given["with_total"],
        "include_deleted": given.get("include_deleted", False),
    }
    return filters, paging


def _get(router: APIRouter, spec: EntitySpec[Any, Any]) -> None:
    EntityId = _id_type(spec)
    deleted: dict[str, Any] = {"include_deleted": (bool, False)} if spec.soft_deletes else {}
    GetQuery = create_model(
        f"{spec.name.title().replace('_', '')}GetQuery",
        __config__=ConfigDict(extra="ignore"),
        **deleted,
    )

    async def get_entity(
        entity_id: EntityId,  # type: ignore[valid-type]
        query: Annotated[GetQuery, Query()],
        response: Response,
        unit: SignedIn,
    ) -> Any:
        include_deleted = bool(getattr(query, "include_deleted", False))
        record = await crud.load(
            unit.session, unit.caller, spec, entity_id, include_deleted=include_deleted
        )
        set_etag(response, record)
        return record

    get_entity.__doc__ = f"One {spec.label}; 404 if you may not see it."
    router.add_api_route(
        f"/{spec.path}/{{entity_id}}",
        get_entity,
        methods=["GET"],
        response_model=spec.read_schema,
        tags=[spec.group],
        summary=f"Get a {spec.label}",
        responses=RESPONSES(401, 404, 422),
        operation_id=f"get_{spec.name}",
    )


def _references(spec: EntitySpec[Any, Any]) -> Checker:
    """A refused body's references, checked with the caller's read access as the write
    would check them."""

    async def check(
        request: Request, body: Mapping[str, Any], failed: frozenset[str]
    ) -> list[FieldError]:
        async with caller_unit(request) as unit:
            return await crud.reference_errors(unit.session, unit.caller, spec, body, failed)

    return check


def _create(router: APIRouter, spec: EntitySpec[Any, Any]) -> None:
    Create = spec.create_schema

    async def create_entity(
        data: Annotated[Create, Body()],  # type: ignore[valid-type]
        request: Request,
        response: Response,
        unit: SignedIn,
    ) -> Any:
        record = await spec.create(unit.session, unit.caller, data)
        response.headers["Location"] = f"{request.url.path}/{record.id}"
        set_etag(response, record)
        return record

    create_entity.__doc__ = (
        f"Create a {spec.label}. Every field error comes in one 422 (the schema's and "
        "references to rows that do not exist); a value that must be unique and is taken is "
        "409 `conflict`, naming the field."
    )
    check_too(create_entity, _references(spec))
    router.add_api_route(
        f"/{spec.path}",
        create_entity,
        methods=["POST"],
        status_code=201,
        response_model=spec.read_schema,
        tags=[spec.group],
        summary=f"Create a {spec.label}",
        responses=RESPONSES(401, 403, 404, 409, 422),
        operation_id=f"create_{spec.name}",
    )


def _update(router: APIRouter, spec: EntitySpec[Any, Any]) -> None:
    EntityId, Update = _id_type(spec), spec.update_schema

    async def update_entity(
        entity_id: EntityId,  # type: ignore[valid-type]
        data: Annotated[Update, Body()],  # type: ignore[valid-type]
        response: Response,
        unit: SignedIn,
        if_match: IfMatch = None,
    ) -> Any:
        version = precondition(spec.label, spec.versioned, if_match, getattr(data, "version", None))
        record = await spec.update(
            unit.session, unit.caller, entity_id, data, expected_version=version
        )
        set_etag(response, record)
        return record

    check_too(update_entity, _references(spec))
    update_entity.__doc__ = (
        f"Change some fields of a {spec.label}, based on the version you read: send it as "
        '`If-Match: "<version>"` (the ETag) or `version` in the body. 428 without either; '
        "409 if someone changed it since."
    )
    router.add_api_route(
        f"/{spec.path}/{{entity_id}}",
        update_entity,
        methods=["PATCH"],
        response_model=spec.read_schema,
        tags=[spec.group],
        summary=f"Update a {spec.label}",
        responses=RESPONSES(401, 403, 404, 409, 422, *((428,) if spec.versioned else ())),
        operation_id=f"update_{spec.name}",
    )


def _delete(router: APIRouter, spec: EntitySpec[Any, Any]) -> None:
    EntityId = _id_type(spec)

    async def delete_entity(
        entity_id: EntityId,  # type: ignore[valid-type]
        unit: SignedIn,
        if_match: IfMatch = None,
        data: Annotated[VersionInput | None, Body()] = None,
    ) -> Response:
        version = precondition(
            spec.label, spec.versioned, if_match, data.version if data is not None else None
        )
        await spec.delete(unit.session, unit.caller, entity_id, expected_version=version)
        return Response(status_code=204)

    soft = "soft: it can be restored" if spec.soft_deletes else "for good"
    based = (
        ', based on the version you read: send it as `If-Match: "<version>"` (the ETag) or '
        '`{"version": N}` as the body. 428 without either; 409 if someone changed it since'
        if spec.versioned
        else ""
    )
    delete_entity.__doc__ = f"Delete a {spec.label} ({soft}){based}."
    router.add_api_route(
        f"/{spec.path}/{{entity_id}}",
        delete_entity,
        methods=["DELETE"],
        status_code=204,
        response_class=Response,
        tags=[spec.group],
        summary=f"Delete a {spec.label}",
        responses=RESPONSES(401, 403, 404, 409, 422, *((428,) if spec.versioned else ())),
        operation_id=f"delete_{spec.name}",
    )


def _restore(router: APIRouter, spec: EntitySpec[Any, Any]) -> None:
    EntityId = _id_type(spec)

    async def restore_entity(entity_id: EntityId, unit: SignedIn) -> Any:  # type: ignore[valid-type]
        return await spec.restore(unit.session, unit.caller, entity_id)

    restore_entity.__doc__ = f"Undo the deletion of a {spec.label}."
    router.add_api_route(
        f"/{spec.path}/{{entity_id}}/restore",
        restore_entity,
        methods=["POST"],
        response_model=spec.read_schema,
        tags=[spec.group],
        summary=f"Restore a {spec.label}",
        responses=RESPONSES(401, 403, 404, 409, 422),
        operation_id=f"restore_{spec.name}",
    )


def _mount_action(router: APIRouter, spec: EntitySpec[Any, Any], action: Action[Any, Any]) -> None:
    EntityId, Input = _id_type(spec), action.input
    required = any(field.is_required() for field in Input.model_fields.values())

    async def run(
        unit: Any, entity_id: Any, data: BaseModel, response: Response, if_match: str | None
    ) -> Any:
        version = parse_if_match(if_match)
        if version is not None and "version" in type(data).model_fields:
            data = data.model_copy(update={"version": data.version or version})  # type: ignore[attr-defined]
        record = await action.run(unit.session, unit.caller, entity_id, data)
        set_etag(response, record)
        return record

    if required:

        async def perform(
            entity_id: EntityId,  # type: ignore[valid-type]
            data: Annotated[Input, Body()],  # type: ignore[valid-type]
            response: Response,
            unit: SignedIn,
            if_match: IfMatch = None,
        ) -> Any:
            return await run(unit, entity_id, data, response, if_match)

    else:

        async def perform(  # type: ignore[misc]
            entity_id: EntityId,  # type: ignore[valid-type]
            response: Response,
            unit: SignedIn,
            data: Annotated[Input | None, Body()] = None,  # type: ignore[valid-type]
            if_match: IfMatch = None,
        ) -> Any:
            return await run(unit, entity_id, data or Input(), response, if_match)

    perform.__doc__ = action.run.__doc__
    router.add_api_route(
        f"/{spec.path}/{{entity_id}}/{action.path}",
        perform,
        methods=["POST"],
        response_model=spec.read_schema,
        tags=[spec.group],
        summary=action.summary,
        responses=RESPONSES(401, 403, 404, 409, 422),
        operation_id=action.name,
    )


_MOUNT = {
    Crud.LIST: _list,
    Crud.GET: _get,
    Crud.CREATE: _create,
    Crud.UPDATE: _update,
    Crud.DELETE: _delete,
    Crud.RESTORE: _restore,
}

__all__ = ["list_query_model", "mount_entity", "page_body", "page_model"]
