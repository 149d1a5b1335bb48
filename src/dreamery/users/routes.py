"""People over HTTP: `/api/v1/users` (with `q`, the ranked search) and `/api/v1/profiles`.

Reading users answers each as the caller may see them: the full record (`UserRead`) for
themselves, the admins of an organization they belong to and platform administrators; the
public card (`UserCard`) for everyone else. A profile's phone is shown to the same few.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from dreamery.core.entities import EVERY_OPERATION, Crud
from dreamery.core.http import RESPONSES, SignedIn, mount_entity, page_body, set_etag
from dreamery.core.http.entity_routes import list_query_model, page_model, split_list_query
from dreamery.users.schemas import ProfileView, UserView
from dreamery.users.service import (
    PROFILES,
    USERS,
    find_profile_views,
    find_user_views,
    get_profile_view,
    get_user_view,
)

router = APIRouter()

UserListQuery = list_query_model(USERS)
ProfileListQuery = list_query_model(PROFILES)


@router.get(
    f"/{USERS.path}",
    response_model=page_model(UserView, "UserViewPage"),
    tags=[USERS.group],
    summary="List users",
    responses=RESPONSES(400, 401, 422),
    operation_id="list_users",
)
async def list_users(
    query: Annotated[UserListQuery, Query()],  # type: ignore[valid-type]
    unit: SignedIn,
) -> Any:
    """List users you may see: each as a full record or a public card. Filtering by e-mail
    or by a flag selects only among the users whose full record you may see."""
    given: dict[str, Any] = query.model_dump()  # type: ignore[attr-defined]
    filters, paging = split_list_query(given)
    page = await find_user_views(
        unit.session, unit.caller, filters=filters, query=given.get("q"), **paging
    )
    return page_body(page)


@router.get(
    f"/{USERS.path}/{{entity_id}}",
    response_model=UserView,
    tags=[USERS.group],
    summary="Get a user",
    responses=RESPONSES(401, 404, 422),
    operation_id="get_user",
)
async def get_user(
    entity_id: Annotated[uuid.UUID, Path(description="the user's id")],
    response: Response,
    unit: SignedIn,
    include_deleted: bool = False,
) -> Any:
    """One user, as a full record or a public card; 404 if you may not see them."""
    user, view = await get_user_view(
        unit.session, unit.caller, entity_id, include_deleted=include_deleted
    )
    set_etag(response, user)
    return view


@router.get(
    f"/{PROFILES.path}",
    response_model=page_model(ProfileView, "ProfileViewPage"),
    tags=[PROFILES.group],
    summary="List profiles",
    responses=RESPONSES(400, 401, 422),
    operation_id="list_profiles",
)
async def list_profiles(
    query: Annotated[ProfileListQuery, Query()],  # type: ignore[valid-type]
    unit: SignedIn,
) -> Any:
    """List profiles you may see, with the phone where you see the user's full record."""
    given: dict[str, Any] = query.model_dump()  # type: ignore[attr-defined]
    filters, paging = split_list_query(given)
    page = await find_profile_views(unit.session, unit.caller, filters=filters, **paging)
    return page_body(page)


@router.get(
    f"/{PROFILES.path}/{{entity_id}}",
    response_model=ProfileView,
    tags=[PROFILES.group],
    summary="Get a profile",
    responses=RESPONSES(401, 404, 422),
    operation_id="get_profile",
)
async def get_profile(
    entity_id: Annotated[uuid.UUID, Path(description="the profile's id")],
    response: Response,
    unit: SignedIn,
    include_deleted: bool = False,
) -> Any:
    """One profile, with the phone where you see the user's full record; 404 if you may not
    see it."""
    profile, view = await get_profile_view(
        unit.session, unit.caller, entity_id, include_deleted=include_deleted
    )
    set_etag(response, profile)
    return view


READS = frozenset({Crud.LIST, Crud.GET})
mount_entity(router, USERS, only=EVERY_OPERATION - READS)
mount_entity(router, PROFILES, only=EVERY_OPERATION - READS)
