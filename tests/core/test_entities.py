"""Generated from every entity's declarations: a field that a named operation changes is in
no generic create or update schema, and sending it anyway names the operation to use."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import inspect

from dreamery.core.entities import Crud, EntitySpec
from dreamery.service import ENTITIES

# The state of each entity that has rules of its own: it must be owned by a named operation
# (or be a field no input carries at all), never a field of a generic create or update.
STATE: dict[str, set[str]] = {
    "task": {"status", "completed_at"},
    "workflow_step": {"status"},
    "document_instance": {"status", "signed_at", "submitted_at", "reviewed_by", "reviewed_at"},
    "compliance_record": {"status", "verified_at", "verified_by", "reviewed_by", "reviewed_at"},
    "compliance_evidence": {"uploaded_by", "uploaded_at"},
    "reminder": {"sent_at"},
    "notification": {"is_read", "read_at"},
    "user": {"role_verified_at", "role_verified_by", "organization_id"},
    "organization": {"verified_at", "verified_by", "is_personal"},
    "membership": {"org_role", "status", "ended_at", "joined_at"},
    "invitation": {"accepted_at", "accepted_by", "revoked_at", "token_hash"},
    "case": {"status"},
    "step_run": {"status", "assignee_id", "due_on", "data", "completed_at", "review_note"},
    # Copied into an organization by an operation, which changes no state of the original.
    "workflow": set(),
    "document_template": set(),
}
# State no operation changes yet, refused with the reason (not merely as an unknown field).
RESERVED = {("workflow_step", "status"), ("compliance_evidence", "uploaded_by")} | {
    ("compliance_evidence", "uploaded_at")
}
SPECS = {spec.name: spec for spec in ENTITIES}


def _keys(schema: type[BaseModel] | None) -> set[str]:
    if schema is None:
        return set()
    return set(schema.model_fields) | {
        info.alias for info in schema.model_fields.values() if info.alias
    }


def _generic(spec: EntitySpec[Any, Any]) -> list[type[BaseModel]]:
    return [s for s in (spec.create_schema, spec.update_schema) if s is not None]


def test_every_entity_with_rules_is_declared_here() -> None:
    assert set(STATE) <= set(SPECS)
    with_actions = {spec.name for spec in ENTITIES if spec.actions}
    assert with_actions <= set(STATE), "an entity with named operations has state: list it"


@pytest.mark.parametrize("spec", ENTITIES, ids=lambda spec: spec.name)
def test_no_generic_schema_carries_a_field_a_named_operation_owns(
    spec: EntitySpec[Any, Any],
) -> None:
    owned = {field for action in spec.actions.values() for field in action.owns}
    columns = {attr.key for attr in inspect(spec.model).column_attrs}
    assert owned <= columns, f"{spec.name}: operations own fields that are not columns"
    forbidden = owned | STATE.get(spec.name, set())
    for schema in _generic(spec):
        carried = _keys(schema) & forbidden
        assert not carried, f"{schema.__name__} carries {sorted(carried)}"
    for field in owned:
        names = spec.named_fields[field]
        assert all(action.name in names for action in spec.actions.values() if field in action.owns)


@pytest.mark.parametrize(
    ("spec", "field"),
    [(spec, field) for spec in ENTITIES for field in sorted(STATE.get(spec.name, ()))],
    ids=lambda value: value.name if isinstance(value, EntitySpec) else value,
)
def test_sending_a_state_field_is_refused_with_what_to_use(
    spec: EntitySpec[Any, Any], field: str
) -> None:
    """Alongside the input's other errors: one round of validation tells everything."""
    for schema in _generic(spec):
        with pytest.raises(PydanticValidationError) as refused:
            schema.model_validate({field: "anything", "no_such_field": 1})
        errors = {str(e["loc"][0]): e for e in refused.value.errors()}
        assert "no_such_field" in errors
        message = errors[field]["msg"]
        if field in spec.named_fields:
            assert errors[field]["type"] == "named_operation"
            assert spec.named_fields[field] in message
        elif (spec.name, field) in RESERVED:
            assert errors[field]["type"] == "reserved_field", message
        else:  # a field no input ever carried (a reminder's sent_at)
            assert errors[field]["type"] == "extra_forbidden", message


def test_every_kind_of_refused_field_is_answered_together_even_nested() -> None:
    """A named field at the top, a reserved one inside a list, a wrong type: one answer."""
    from dreamery.compliance.schemas import ComplianceRecordCreate

    evidence = {"file_name": "a.pdf", "location": "file:a", "content_type": "application/pdf"}
    with pytest.raises(PydanticValidationError) as refused:
        ComplianceRecordCreate.model_validate(
            {
                "requirement_id": "not-a-uuid",
                "user_id": "0195f2c4-7c9e-7d6a-9d8e-2f1b1c3d4e5f",
                "status": "verified",
                "evidence": [{**evidence, "size": 1, "uploaded_by": "someone"}],
            }
        )
    kinds = {tuple(str(p) for p in e["loc"]): e["type"] for e in refused.value.errors()}
    assert kinds == {
        ("status",): "named_operation",
        ("requirement_id",): "uuid_parsing",
        ("evidence", "0", "uploaded_by"): "reserved_field",
    }


def test_the_state_changes_are_named_operations() -> None:
    names = {action.name for spec in ENTITIES for action in spec.actions.values()}
    assert {
        "change_task_status",
        "submit_document_instance",
        "approve_document_instance",
        "return_document_instance",
        "verify_compliance_record",
        "fail_compliance_record",
        "resubmit_compliance_record",
        "mark_read",
    } <= names


@pytest.mark.parametrize("spec", ENTITIES, ids=lambda spec: spec.name)
def test_declarations_agree_with_the_table(spec: EntitySpec[Any, Any]) -> None:
    columns = {attr.key for attr in inspect(spec.model).column_attrs}
    assert set(spec.filter_types) <= columns
    assert spec.sorts <= columns and spec.default_sort in spec.sorts
    if Crud.RESTORE in spec.offers:
        assert spec.soft_deletes
    assert len({a.path for a in spec.actions.values()}) == len(spec.actions)


@pytest.mark.parametrize(
    "spec",
    [s for s in ENTITIES if s.tenancy is not None and s.tenancy.column != "id"],
    ids=lambda spec: spec.name,
)
def test_every_row_of_an_organization_shows_it_and_filters_by_it(
    spec: EntitySpec[Any, Any],
) -> None:
    """The API, the facade and the studio show each row's organization and filter by it."""
    assert "organization_id" in spec.read_schema.model_fields
    assert "organization_id" in spec.filter_types
