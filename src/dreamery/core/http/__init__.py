"""What every domain's routes are made of, whatever the entity: the request's unit of work,
error responses, and the generic routes mounted from an entity's spec."""

from dreamery.core.http.entity_routes import mount_entity, page_body, page_model
from dreamery.core.http.problems import RESPONSES, Problem
from dreamery.core.http.units import (
    Gateway,
    Public,
    SignedIn,
    parse_if_match,
    request_context,
    set_etag,
)

__all__ = [
    "RESPONSES",
    "Gateway",
    "Problem",
    "Public",
    "SignedIn",
    "mount_entity",
    "page_body",
    "page_model",
    "parse_if_match",
    "request_context",
    "set_etag",
]
