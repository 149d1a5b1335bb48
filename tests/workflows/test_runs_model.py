"""Random sequences of run operations against a model of what they should do, on both
databases: after every operation the stored run, its step runs, their tasks and the run's
progress are what the model says, and a refused operation changed nothing.

The model is written here from the rules as the run's documentation states them, apart
from the checklist module the service uses, so that the two are checked against each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dreamery import DatabaseService
from dreamery.core.errors import ConflictError, NotFoundError, ValidationError
from tests.workflows.runs_support import deal

pytestmark = pytest.mark.usefixtures("backend")

# kind, required, depends on (numbers), due: (days after, key date) in calendar days
PLAN: list[tuple[str, bool, tuple[int, ...], tuple[int, str] | None]] = [
    ("data", True, (), None),
    ("milestone", True, (1,), None),  # records contract_acceptance
    ("task", True, (2,), (3, "contract_acceptance")),
    ("task", False, (2,), (5, "inspection_deadline")),
    ("approval", True, (3, 4), None),
    ("task", False, (), (1, "closing")),
]
STEPS: list[dict[str, Any]] = []
for number, (kind, required, after, due) in enumerate(PLAN, start=1):
    step: dict[str, Any] = {
        "name": f"Step {number}",
        "kind": kind,
        "is_required": required,
        "estimated_duration": 10 * number,
        "after": list(after),
    }
    if kind == "data":
        step["required_fields"] = ["price"]
        step["validation_rules"] = [
            {"field": "price", "rule_type": "min_value", "value": 1, "message": "Too low."}
        ]
    if kind == "milestone":
        step["key_date"] = "contract_acceptance"
    if due is not None:
        step["due_rule"] = {"days": due[0], "unit": "calendar", "key_date": due[1]}
    STEPS.append(step)

FINISHED = {"done", "skipped"}
OPEN = {"ready", "in_progress", "returned"}
TASK_STATUS = {
    "blocked": "cancelled",
    "ready": "pending",
    "returned": "pending",
    "in_progress": "in_progress",
    "done": "completed",
    "skipped": "cancelled",
}
BASE = date(2027, 6, 1)


@dataclass
class Model:
    status: dict[int, str] = field(default_factory=dict)
    run: str = "active"
    key_dates: dict[str, date] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.status = dict.fromkeys(range(1, len(PLAN) + 1), "blocked")
        self.settle()

    def deps(self, n: int) -> tuple[int, ...]:
        return PLAN[n - 1][2]

    def settle(self) -> None:
        for n in self.status:
            ready = all(self.status[d] in FINISHED for d in self.deps(n))
            if self.status[n] == "blocked" and ready:
                self.status[n] = "ready"
            elif self.status[n] in OPEN and not ready:
                self.status[n] = "blocked"
        if self.run != "cancelled":
            done = all(self.status[n] == "done" for n, p in enumerate(PLAN, 1) if p[1])
            self.run = "completed" if done else "active"

    def dependants(self, n: int) -> set[int]:
        found: set[int] = set()
        for other in self.status:
            if any(d == n or d in found for d in self.deps(other)):
                found.add(other)
        return found

    def due(self, n: int) -> date | None:
        rule = PLAN[n - 1][3]
        if rule is None or rule[1] not in self.key_dates:
            return None
        return self.key_dates[rule[1]] + timedelta(days=rule[0])

    # Each returns the exception type the operation must raise, or None after applying it.
    def act(self, op: str, n: int, good: bool) -> type[Exception] | None:
        if self.run == "cancelled" and op != "move":
            return ConflictError
        kind, required, _, _ = PLAN[n - 1]
        now = self.status[n]
        if op == "cancel":
            self.run = "cancelled"
            return None
        if op == "move":
            return None  # applied by the caller, with the day
        if op == "submit":
            if kind == "data":
                if not good:
                    return ValidationError
                if now not in OPEN:
                    return ConflictError
                self.status[n] = "done"
            elif kind == "approval":
                if now not in {"ready", "returned"}:
                    return ConflictError
                self.status[n] = "in_progress"
            else:
                return ConflictError
        elif op == "complete":
            if kind not in {"task", "milestone"} or now not in OPEN:
                return ConflictError
            self.status[n] = "done"
        elif op == "skip":
            if required or now not in OPEN | {"blocked"}:
                return ConflictError
            self.status[n] = "skipped"
        elif op == "reopen":
            if now not in FINISHED:
                return ConflictError
            self.status[n] = "blocked"
            for other in self.dependants(n):
                if self.status[other] != "skipped":
                    self.status[other] = "blocked"
        elif op in {"approve", "return"}:
            if kind != "approval" or now != "in_progress":
                return ConflictError
            self.status[n] = "done" if op == "approve" else "returned"
        self.settle()
        return None


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["submit", "complete", "skip", "reopen", "approve", "return", "move", "cancel"]
        ),
        st.integers(1, len(PLAN)),
        st.booleans(),  # valid data, for submit; which key date, for move
        st.integers(0, 30),  # the day a moved key date falls on, after BASE
    ),
    max_size=30,
).map(
    # Cancelling ends a run: keep at most one, late, so most sequences explore.
    lambda ops: [op for i, op in enumerate(ops) if op[0] != "cancel" or i == len(ops) - 1]
)


async def perform(
    db: DatabaseService, d: Any, run_id: Any, op: str, n: int, flag: bool, day: int
) -> None:
    agent, broker = db.acting_as(d.agent.id), db.acting_as(d.broker.id)
    if op == "submit":
        await agent.submit_step(run_id, n, {"price": 10 if flag else 0})
    elif op == "complete":
        await agent.complete_step(
            run_id,
            n,
            falls_on=BASE + timedelta(days=day) if PLAN[n - 1][0] == "milestone" else None,
        )
    elif op == "skip":
        await agent.skip_step(run_id, n, "not needed here")
    elif op == "reopen":
        await agent.reopen_step(run_id, n, reason="again")
    elif op == "approve":
        await broker.approve_step(run_id, n)
    elif op == "return":
        await broker.return_step(run_id, n, "fix it")
    elif op == "cancel":
        await agent.cancel_run(run_id)
    elif op == "move":
        name = "inspection_deadline" if flag else "closing"
        await agent.set_key_date(d.case.id, name, BASE + timedelta(days=day))


async def check(db: DatabaseService, d: Any, run_id: Any, model: Model) -> None:
    run = await db.find_run_by_id(run_id)
    stored = {s.number: s.status for s in run.steps}
    assert stored == model.status
    assert run.status == model.run
    finished = sum(1 for s in model.status.values() if s in FINISHED)
    assert (run.progress.finished, run.progress.total) == (finished, len(PLAN))
    assert run.progress.required_left == sum(
        1 for n, p in enumerate(PLAN, 1) if p[1] and model.status[n] != "done"
    )
    assert run.progress.minutes_left == sum(
        10 * n for n in model.status if model.status[n] not in FINISHED
    )
    for s in run.steps:
        if PLAN[s.number - 1][3] is not None and s.status not in FINISHED:
            assert s.due_on == model.due(s.number), s.number
        if PLAN[s.number - 1][0] == "task" and s.task_id is not None:
            task = await db.find_task_by_id(s.task_id)
            want = "cancelled" if model.run == "cancelled" else TASK_STATUS[s.status]
            assert task.status == want, (s.number, s.status, task.status)
    events = await db.find_run_log(run_id, limit=500)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
async def test_runs_follow_the_model(db: DatabaseService, operations: list[Any]) -> None:
    d = await deal(db, STEPS)
    run = await db.acting_as(d.agent.id).start_run(d.case.id, d.workflow.id)
    model = Model()
    await check(db, d, run.id, model)
    for op, n, flag, day in operations:
        before = await db.find_run_by_id(run.id)
        expected = model.act(op, n, flag)
        if expected is None:
            await perform(db, d, run.id, op, n, flag, day)
            if op == "move":
                model.key_dates["inspection_deadline" if flag else "closing"] = BASE + timedelta(
                    days=day
                )
            if op == "complete" and PLAN[n - 1][0] == "milestone":
                model.key_dates["contract_acceptance"] = BASE + timedelta(days=day)
        else:
            with pytest.raises(expected):
                await perform(db, d, run.id, op, n, flag, day)
            after = await db.find_run_by_id(run.id)
            assert after.model_dump() == before.model_dump()  # refused: nothing changed
        await check(db, d, run.id, model)


async def test_a_failing_rule_keeps_nothing_of_the_submission(db: DatabaseService) -> None:
    d = await deal(db, STEPS)
    agent = db.acting_as(d.agent.id)
    run = await agent.start_run(d.case.id, d.workflow.id)
    with pytest.raises(ValidationError):
        await agent.submit_step(run.id, 1, {"price": 0, "note": "kept?"})
    again = await agent.find_run_by_id(run.id)
    assert again.model_dump() == run.model_dump()
    assert len(await agent.find_run_log(run.id)) == 1  # started, nothing since
    with pytest.raises(NotFoundError):  # not on the case: it does not exist for them
        await db.acting_as(d.outsider.id).set_key_date(d.case.id, "closing", BASE)


async def test_definitions_edited_after_a_start_make_a_new_version(db: DatabaseService) -> None:
    d = await deal(db, STEPS)
    agent = db.acting_as(d.agent.id)
    run = await agent.start_run(d.case.id, d.workflow.id)
    run = await agent.submit_step(run.id, 1, {"price": 5})
    # The organization edits the workflow: step 6 goes, a new last step comes.
    steps = {s.order: s for s in (await db.find_workflow_steps(workflow_id=d.workflow.id)).items}
    await db.delete_workflow_step(steps[6].id, expected_version=steps[6].version)
    await db.create_workflow_step(
        {"workflow_id": str(d.workflow.id), "name": "Keys handed over", "order": 7}
    )
    same = await agent.find_run_by_id(run.id)
    assert [s.name for s in same.steps] == [f"Step {n}" for n in range(1, 7)]  # as started
    assert same.newest_version  # no run has started on the edit yet
    other = await deal(db, STEPS)
    assert other.workflow.id != d.workflow.id
    moved = await agent.upgrade_run(run.id)
    assert moved.definition_version == 2 and moved.newest_version
    assert [s.name for s in moved.steps][-1] == "Keys handed over"
    assert {s.number: s.status for s in moved.steps}[1] == "done"  # kept
    # A finished step the newest version dropped would be lost: refused, naming it.
    await agent.complete_step(run.id, 2, falls_on=BASE)
    steps = {s.order: s for s in (await db.find_workflow_steps(workflow_id=d.workflow.id)).items}
    await db.delete_workflow_step(steps[2].id, expected_version=steps[2].version)
    with pytest.raises(ConflictError, match="Step 2"):
        await agent.upgrade_run(run.id)
    assert (await agent.find_run_by_id(run.id)).definition_version == 2
