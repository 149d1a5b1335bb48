"""Rows and references shown by their labels: a user by name and e-mail, a role by its name.

Each domain says how its rows read (`EntitySpec.row_label`); rows of an entity that says
nothing read by a name-like attribute, else by their id. The references on a page are
resolved in batch before it is drawn: one query per table they point to, whatever the number
of rows (`resolve`). The labels found are kept on the request, where the templates look them
up (`studio_label(request, key, id)`); an id that cannot be resolved is shown as it is.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from starlette.requests import Request

from dreamery.core.entities import EntitySpec
from dreamery.core.errors import DreameryError
from dreamery.service import DatabaseService

log = logging.getLogger("dreamery.studio")

# Where an entity declares no label: the first of these its rows have.
LABEL_ATTRIBUTES = ("name", "title", "company", "email", "file_name", "metric", "field", "slug")

Wanted = tuple[str, str]  # (key of the view of the table, id of the row)


class Labelled(Protocol):
    """A view whose rows can be labelled: its key, its spec."""

    @property
    def key(self) -> str | None: ...

    @property
    def spec(self) -> EntitySpec[Any, Any]: ...


def label_of(spec: EntitySpec[Any, Any], obj: Any) -> str:
    """How a person recognises the row: its domain's label, a name-like value, its id."""
    if spec.row_label is not None:
        return spec.label_of(obj)
    for name in LABEL_ATTRIBUTES:
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value
    return str(getattr(obj, "id", "?"))


def known(request: Request) -> dict[Wanted, str]:
    """The labels resolved for this request so far."""
    found: dict[Wanted, str] | None = getattr(request.state, "studio_labels", None)
    if found is None:
        found = request.state.studio_labels = {}
    return found


def studio_label(request: Request, key: str | None, entity_id: Any) -> str | None:
    """The label of row `entity_id` of the table behind view `key`, if it was resolved."""
    if key is None or entity_id is None:
        return None
    return known(request).get((key, str(entity_id)))


def remember(request: Request, view: Labelled, obj: Any) -> None:
    """A row in hand needs no query to be labelled."""
    if view.key is not None:
        known(request)[(view.key, str(obj.id))] = label_of(view.spec, obj)


async def resolve(
    request: Request,
    db: DatabaseService,
    views: Mapping[str, Labelled],
    wanted: Iterable[Wanted],
) -> None:
    """Label every wanted row not yet known: one query per table, among the rows the
    signed-in administrator may read."""
    found = known(request)
    by_key: dict[str, set[str]] = defaultdict(set)
    for key, entity_id in wanted:
        if key in views and entity_id and (key, entity_id) not in found:
            by_key[key].add(entity_id)
    for key, ids in by_key.items():
        view = views[key]
        try:
            rows = await db.get_many(view.spec, sorted(ids))
        except DreameryError as error:  # the ids stay as they are; the page still shows
            log.info("studio: no labels for %s: %s", key, error.message)
            continue
        for row in rows:
            found[(key, str(row.id))] = label_of(view.spec, row)


__all__ = ["LABEL_ATTRIBUTES", "known", "label_of", "remember", "resolve", "studio_label"]
