"""An entity's named operations (verify a record, change a task's status...) as row actions.

Each operation its spec declares becomes a button on its rows (shown where the operation
applies), with a small form built from the operation's input schema: a choice for an enum, a
tick box for a yes/no, a text box for a note, a date-time picker. The form's values go to
`DatabaseService.perform` with the version of the row the form was shown for, so the
operation's own checks (who may, from which state, not on one's own record) decide, and a
change made since the page was shown is a conflict.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from starlette.requests import Request
from starlette_admin.exceptions import ActionFailed
from starlette_admin.flash import flash

from dreamery.core.entities import Action, EntitySpec
from dreamery.studio.fields import aware_datetime, unwrap

if TYPE_CHECKING:
    from dreamery.studio.views import EntityView

PREFIX = "operation-"
SKIPPED = frozenset({"version"})


def row_action_name(declared: Action[Any, Any]) -> str:
    return f"{PREFIX}{declared.path}"


def declared(spec: EntitySpec[Any, Any], name: str) -> Action[Any, Any] | None:
    """The operation behind a row action's name, if it is one."""
    if not name.startswith(PREFIX):
        return None
    path = name.removeprefix(PREFIX)
    return next((a for a in spec.actions.values() if a.path == path), None)


def _inputs(schema: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    return [(n, f) for n, f in schema.model_fields.items() if n not in SKIPPED]


def _kind(info: FieldInfo) -> tuple[Any, bool]:
    """The field's type without `| None` and without `Annotated` constraints."""
    kind, optional = unwrap(info.annotation)
    while typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    return kind, optional


def _control(name: str, info: FieldInfo) -> Markup:
    kind, optional = _kind(info)
    label = escape(name.replace("_", " ").capitalize())
    required = Markup(" required") if info.is_required() else Markup("")
    default = info.get_default(call_default_factory=True)
    if kind is bool:
        checked = Markup(" checked") if default else Markup("")
        return Markup(
            '<div class="form-check mt-3"><input class="form-check-input" type="checkbox" '
            'name="{}" id="op-{}"{}><label class="form-check-label" for="op-{}">{}</label></div>'
        ).format(name, name, checked, name, label)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        options = Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                member.value,
                Markup(" selected") if member == default else Markup(""),
                str(member.value).replace("_", " "),
            )
            for member in kind
        )
        return Markup(
            '<div class="mt-3"><label class="form-label" for="op-{}">{}</label>'
            '<select class="form-select" name="{}" id="op-{}"{}>{}</select></div>'
        ).format(name, label, name, name, required, options)
    if kind is datetime:
        return Markup(
            '<div class="mt-3"><label class="form-label" for="op-{}">{}{}</label>'
            '<input class="form-control" type="datetime-local" name="{}" id="op-{}"{}></div>'
        ).format(name, label, "" if required else " (optional)", name, name, required)
    return Markup(
        '<div class="mt-3"><label class="form-label" for="op-{}">{}{}</label>'
        '<textarea class="form-control" rows="3" name="{}" id="op-{}"{}></textarea></div>'
    ).format(name, label, "" if required or not optional else " (optional)", name, name, required)


VERSION = "_version"


def form_html(schema: type[BaseModel], version: int | None) -> str:
    """The operation's form; it carries the version of the row shown, so that a decision
    taken on a page that has since gone stale is refused rather than applied to the new row."""
    controls = Markup("").join(_control(n, f) for n, f in _inputs(schema))
    kept = (
        Markup('<input type="hidden" name="{}" value="{}">').format(VERSION, version)
        if version is not None
        else Markup("")
    )
    return str(Markup("<form>{}{}</form>").format(kept, controls))


def _value(info: FieldInfo, raw: Any) -> Any:
    kind, _ = _kind(info)
    if kind is bool:
        return raw is not None
    if not isinstance(raw, str) or not raw.strip():
        return None
    if kind is datetime:
        try:
            return aware_datetime(raw.strip())
        except ValueError:
            raise ActionFailed(f"{raw!r} is not a date and time") from None
    return raw.strip()


async def read_form(request: Request, schema: type[BaseModel]) -> tuple[dict[str, Any], int | None]:
    """The operation's input from its form, and the version of the row it was shown for."""
    form = await request.form()
    values = {name: _value(info, form.get(name)) for name, info in _inputs(schema)}
    shown = form.get(VERSION)
    version = int(shown) if isinstance(shown, str) and shown.isdigit() else None
    return {name: value for name, value in values.items() if value is not None}, version


def row_action_config(declared: Action[Any, Any]) -> dict[str, Any]:
    """What starlette-admin keeps of a row action (as its `row_action` decorator writes)."""
    return {
        "name": row_action_name(declared),
        "text": declared.label,
        "confirmation": declared.summary,
        "header": declared.label,
        "action_btn_class": None,
        "submit_btn_text": declared.label,
        "submit_btn_class": None,
        "icon_class": "fa fa-circle-check",
        "form": lambda _request, obj: form_html(declared.input, getattr(obj, "version", None)),
        "custom_response": False,
        "exclude_from_list": False,
        "exclude_from_detail": False,
        "modal_size": "md",
    }


def handler(
    view: EntityView, declared: Action[Any, Any]
) -> Callable[[Request, Any], Awaitable[None]]:
    async def run(request: Request, pk: Any) -> None:
        data, version = await read_form(request, declared.input)
        await view.perform(request, pk, declared, data, version)
        flash(request, f"{declared.label}: done for {view.display_name} {pk}.", "success")

    return run


__all__ = ["declared", "form_html", "handler", "row_action_config", "row_action_name"]
