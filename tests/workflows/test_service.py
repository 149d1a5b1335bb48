"""Workflow definitions: made with their steps and rules at once; a definition's steps carry
no status (progress belongs to a run of the workflow)."""

from __future__ import annotations

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import ValidationError

pytestmark = pytest.mark.usefixtures("backend")

STEPS = [
    {
        "name": "Order the inspection",
        "order": 1,
        "validation_rules": [
            {"field": "inspector", "rule_type": "required", "message": "Name the inspector."}
        ],
    },
    {"name": "Read the report", "order": 2, "estimated_duration": 60},
]


async def test_a_workflow_is_made_with_its_steps_and_rules(db: DatabaseService) -> None:
    workflow = await db.create_workflow(
        {"name": "Inspection", "role_id": "commercial-inspector", "steps": STEPS}
    )
    steps = (await db.find_workflow_steps(workflow_id=workflow.id)).items
    assert [s.name for s in steps] == ["Order the inspection", "Read the report"]
    rules = (await db.find_validation_rules(step_id=steps[0].id)).items
    assert [r.message for r in rules] == ["Name the inspector."]


async def test_a_definitions_steps_carry_no_status(db: DatabaseService) -> None:
    with pytest.raises(ValidationError) as refused:
        await db.create_workflow(
            {
                "name": "Ticked already",
                "role_id": "commercial-inspector",
                "steps": [{**STEPS[1], "status": "completed"}],
            }
        )
    (error,) = refused.value.errors
    assert error.field == "steps.0.status"
    assert "run of the workflow" in error.message
    names = [w.name for w in (await db.find_workflows(role_id="commercial-inspector")).items]
    assert "Ticked already" not in names


async def test_a_partial_update_cannot_leave_a_step_inconsistent_with_its_kind(
    db: DatabaseService,
) -> None:
    workflow = await db.create_workflow(
        {"name": "Kinds", "role_id": "commercial-inspector", "steps": STEPS}
    )
    step = (await db.find_workflow_steps(workflow_id=workflow.id)).items[1]
    assert step.kind == "task"
    for change, field in (
        ({"kind": "document"}, "template_id"),  # a document step without its template
        ({"kind": "milestone"}, "key_date"),  # a milestone recording no key date
        ({"key_date": "closing"}, "key_date"),  # a task recording one
    ):
        with pytest.raises(ValidationError) as refused:
            await db.update_workflow_step(step.id, change, expected_version=step.version)
        assert [e.field for e in refused.value.errors] == [field], change
    kept = await db.find_workflow_step_by_id(step.id)
    assert (kept.kind, kept.key_date, kept.version) == ("task", None, step.version)
    # Both at once is a whole milestone.
    made = await db.update_workflow_step(
        step.id, {"kind": "milestone", "key_date": "closing"}, expected_version=step.version
    )
    assert (made.kind, made.key_date) == ("milestone", "closing")


async def test_rules_belong_to_data_steps_only(db: DatabaseService) -> None:
    workflow = await db.create_workflow(
        {"name": "Rules", "role_id": "commercial-inspector", "steps": STEPS}
    )
    ordered, read = (await db.find_workflow_steps(workflow_id=workflow.id)).items
    assert (ordered.kind, read.kind) == ("data", "task")  # what each asks for, unless said
    with pytest.raises(ValidationError) as refused:
        await db.create_workflow(
            {
                "name": "Judged task",
                "role_id": "commercial-inspector",
                "steps": [{**STEPS[0], "kind": "task"}],
            }
        )
    assert [e.field for e in refused.value.errors] == ["steps.0.validation_rules"]
    rule = {"field": "notes", "rule_type": "required", "message": "Say what you read."}
    with pytest.raises(ValidationError) as refused:
        await db.create_validation_rule({**rule, "step_id": str(read.id)})
    assert [e.field for e in refused.value.errors] == ["step_id"]
    assert (await db.find_validation_rules(step_id=read.id)).items == []
    with pytest.raises(ValidationError) as refused:
        await db.update_workflow_step(ordered.id, {"kind": "task"}, expected_version=1)
    assert [e.field for e in refused.value.errors] == ["kind"]
    assert (await db.find_workflow_step_by_id(ordered.id)).kind == "data"
