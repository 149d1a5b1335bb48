"""A small brokerage deal to run workflows on: a verified brokerage (its owner reviews), an
agent of it who opens the case, and an inspector of another organization on the case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from dreamery import DatabaseService
from dreamery.cases.schemas import CaseRead
from dreamery.users.schemas import UserRead
from dreamery.workflows.schemas import WorkflowRead
from tests.orgs import firm


def person(role_id: str, first: str) -> dict[str, Any]:
    return {
        "email": f"{first.lower()}-{uuid.uuid4().hex[:8]}@example.com",
        "first_name": first,
        "last_name": "Tester",
        "role_id": role_id,
    }


# Kinds, dependencies (by number), case roles and due rules of a small purchase.
STEPS: list[dict[str, Any]] = [
    {
        "name": "Offer",
        "kind": "data",
        "required_fields": ["price"],
        "estimated_duration": 30,
        "validation_rules": [
            {
                "field": "price",
                "rule_type": "min_value",
                "value": 1000,
                "message": "Offer a price.",
            },
            {
                "field": "buyer_email",
                "rule_type": "email",
                "message": "Give the buyer's e-mail address.",
            },
        ],
    },
    {
        "name": "Contract accepted",
        "kind": "milestone",
        "key_date": "contract_acceptance",
        "after": [1],
    },
    {
        "name": "Earnest money",
        "kind": "task",
        "estimated_duration": 20,
        "after": [2],
        "due_rule": {"days": 3, "unit": "business", "key_date": "contract_acceptance"},
    },
    {
        "name": "Inspection",
        "kind": "task",
        "case_role": "inspector",
        "estimated_duration": 180,
        "after": [2],
        "due_rule": {
            "days": 0,
            "unit": "business",
            "direction": "before",
            "key_date": "inspection_deadline",
        },
    },
    {"name": "Staging consult", "kind": "task", "is_required": False, "after": [2]},
    {
        "name": "Broker review",
        "kind": "approval",
        "after": [3, 4],
        "due_rule": {"days": 2, "unit": "business"},
    },
    {"name": "Closing", "kind": "milestone", "key_date": "closing", "after": [6]},
]


@dataclass
class Deal:
    broker: UserRead
    agent: UserRead
    inspector: UserRead
    outsider: UserRead
    case: CaseRead
    workflow: WorkflowRead


async def define(db: DatabaseService, steps: list[dict[str, Any]], name: str) -> WorkflowRead:
    """A workflow of `steps` (`after`: the numbers of the steps each depends on)."""
    workflow = await db.create_workflow(
        {
            "name": name,
            "role_id": "real-estate-agent",
            "steps": [
                {k: v for k, v in step.items() if k != "after"} | {"order": number}
                for number, step in enumerate(steps, start=1)
            ],
        }
    )
    made = {s.order: s for s in (await db.find_workflow_steps(workflow_id=workflow.id)).items}
    for number, step in enumerate(steps, start=1):
        if step.get("after"):
            await db.update_workflow_step(
                made[number].id,
                {"dependencies": [str(made[d].id) for d in step["after"]]},
                expected_version=made[number].version,
            )
    return workflow


async def deal(db: DatabaseService, steps: list[dict[str, Any]] | None = None) -> Deal:
    broker = await db.create_user(person("real-estate-broker", "Bea"))
    agent = await db.create_user(person("real-estate-agent", "Al"))
    inspector = await db.create_user(person("home-inspector", "Ivy"))
    outsider = await db.create_user(person("real-estate-agent", "Oz"))
    await firm(db, broker, agent)
    await firm(db, inspector, kind="other")
    workflow = await define(db, steps or STEPS, f"Purchase {uuid.uuid4().hex[:6]}")
    as_agent = db.acting_as(agent.id)
    case = await as_agent.create_case(
        {
            "title": "12 Harbor Street",
            "kind": "purchase",
            "case_role": "buyers_agent",
            "city": "Portland",
            "region": "ME",
            "country": "US",
            "start_default_workflow": False,
        }
    )
    await as_agent.create_case_participant(
        {"case_id": str(case.id), "user_id": str(inspector.id), "case_role": "inspector"}
    )
    return Deal(broker, agent, inspector, outsider, case, workflow)
