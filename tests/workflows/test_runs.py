"""Workflow runs through the facade: a purchase from offer to closing, with rules that
refuse, a reviewer who returns, key dates that move the deadlines, tasks that follow their
steps, and who may do what."""

from __future__ import annotations

from datetime import date

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from tests.workflows.runs_support import deal, person

pytestmark = pytest.mark.usefixtures("backend")


def statuses(run) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {step.number: step.status for step in run.steps}


async def test_a_purchase_runs_from_offer_to_closing(db: DatabaseService) -> None:
    d = await deal(db)
    agent, broker = db.acting_as(d.agent.id), db.acting_as(d.broker.id)
    run = await agent.start_run(d.case.id, d.workflow.id)
    assert run.definition_version == 1 and run.status == "active"
    assert statuses(run) == {
        1: "ready",
        2: "blocked",
        3: "blocked",
        4: "blocked",
        5: "blocked",
        6: "blocked",
        7: "blocked",
    }
    assert run.progress.total == 7 and run.progress.finished == 0
    assert run.progress.minutes_left == 230
    by_number = {s.number: s for s in run.steps}
    assert by_number[4].assignee_id == d.inspector.id  # the case's inspector
    assert by_number[3].assignee_id == d.agent.id  # nobody holds the role: the owner

    # Every failed rule at once, by field; nothing kept.
    with pytest.raises(ValidationError) as refused:
        await agent.submit_step(run.id, 1, {"price": 5, "buyer_email": "nope"})
    assert {(e.field, e.message) for e in refused.value.errors} == {
        ("data.price", "Offer a price."),
        ("data.buyer_email", "Give the buyer's e-mail address."),
    }
    with pytest.raises(ValidationError) as refused:
        await agent.submit_step(run.id, 1, {})
    assert [e.field for e in refused.value.errors] == ["data.price"]
    assert statuses(await agent.find_run_by_id(run.id))[1] == "ready"

    run = await agent.submit_step(run.id, 1, {"price": 450000, "buyer_email": "b@example.com"})
    assert statuses(run)[1] == "done" and statuses(run)[2] == "ready"
    # The acceptance milestone records its key date; the deadlines counted from it follow.
    run = await agent.complete_step(run.id, 2, falls_on=date(2027, 3, 5))  # a Friday
    steps = {s.number: s for s in run.steps}
    assert steps[3].due_on == date(2027, 3, 10)  # 3 business days: Wednesday
    assert steps[4].due_on is None  # no inspection deadline yet
    await agent.set_key_date(d.case.id, "inspection_deadline", date(2027, 3, 14))  # Sunday
    run = await agent.find_run_by_id(run.id)
    steps = {s.number: s for s in run.steps}
    assert steps[4].due_on == date(2027, 3, 12)  # the business day before
    # The inspector is told, and their task is dated.
    told = await db.acting_as(d.inspector.id).find_notifications(category="workflow")
    assert any("Inspection" in n.title for n in told.items)
    task = await db.find_task_by_id(steps[4].task_id)
    assert task.user_id == d.inspector.id and task.due_date.date() == date(2027, 3, 12)

    # The inspector does their own step (through its task), and nothing else.
    inspector = db.acting_as(d.inspector.id)
    await inspector.change_task_status(task.id, "completed")
    run = await agent.find_run_by_id(run.id)
    assert statuses(run)[4] == "done"
    with pytest.raises(PermissionDeniedError):
        await inspector.complete_step(run.id, 3)
    with pytest.raises(PermissionDeniedError):
        await inspector.cancel_run(run.id)

    run = await agent.complete_step(run.id, 3)
    run = await agent.skip_step(run.id, 5, "the sellers staged it")
    assert statuses(run)[6] == "ready"
    assert {s.number: s.due_on for s in run.steps}[6] is not None  # 2 business days on

    # The reviewer is not the submitter; a return says what to change.
    run = await agent.submit_step(run.id, 6, note="file complete")
    with pytest.raises(PermissionDeniedError):
        await agent.approve_step(run.id, 6)
    with pytest.raises(ValidationError):
        await broker.return_step(run.id, 6, "")
    run = await broker.return_step(run.id, 6, "The addendum is unsigned.")
    assert statuses(run)[6] == "returned"
    assert {s.number: s for s in run.steps}[6].review_note == "The addendum is unsigned."
    run = await agent.submit_step(run.id, 6)
    run = await broker.approve_step(run.id, 6, note="OK")
    assert statuses(run)[7] == "ready"

    # Reopening a finished step sends what depends on it back to waiting.
    run = await agent.reopen_step(run.id, 3, reason="the wire bounced")
    assert statuses(run)[3] == "ready" and statuses(run)[6] == "blocked"
    assert statuses(run)[7] == "blocked"
    earnest = await db.find_task_by_id({s.number: s for s in run.steps}[3].task_id)
    assert earnest.status == "pending"
    run = await agent.complete_step(run.id, 3)
    run = await agent.submit_step(run.id, 6)
    run = await broker.approve_step(run.id, 6)

    run = await agent.complete_step(run.id, 7, falls_on=date(2027, 4, 2))
    assert run.status == "completed" and run.completed_at is not None
    assert run.progress.required_left == 0 and run.progress.finished == 7
    assert run.progress.percent == 100

    events = await agent.find_run_log(run.id)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    kinds = [e.kind for e in events]
    assert kinds[0] == "started" and kinds[-1] == "run_completed"
    assert {"submitted", "returned", "approved", "skipped", "reopened", "due_moved"} <= set(kinds)
    returned = next(e for e in events if e.kind == "returned")
    assert (returned.actor_id, returned.from_status, returned.to_status) == (
        d.broker.id,
        "in_progress",
        "returned",
    )


async def test_someone_not_on_the_case_sees_no_run(db: DatabaseService) -> None:
    d = await deal(db)
    run = await db.acting_as(d.agent.id).start_run(d.case.id, d.workflow.id)
    outsider = db.acting_as(d.outsider.id)
    with pytest.raises(NotFoundError):
        await outsider.find_run_by_id(run.id)
    with pytest.raises(NotFoundError):
        await outsider.submit_step(run.id, 1, {"price": 5000})
    with pytest.raises(NotFoundError):
        await outsider.find_run_log(run.id)


async def test_a_participant_of_another_organization_may_not_start_or_review(
    db: DatabaseService,
) -> None:
    d = await deal(db)
    inspector = db.acting_as(d.inspector.id)
    with pytest.raises(PermissionDeniedError):
        await inspector.start_run(d.case.id, d.workflow.id)
    run = await db.acting_as(d.agent.id).start_run(d.case.id, d.workflow.id)
    assert (await inspector.find_run_by_id(run.id)).id == run.id
    with pytest.raises(PermissionDeniedError):
        await inspector.submit_step(run.id, 1, {"price": 5000})
    with pytest.raises(PermissionDeniedError):
        await inspector.set_key_date(d.case.id, "closing", date(2027, 5, 1))


async def test_required_steps_cannot_be_skipped_nor_steps_run_ahead(db: DatabaseService) -> None:
    d = await deal(db)
    agent = db.acting_as(d.agent.id)
    run = await agent.start_run(d.case.id, d.workflow.id)
    with pytest.raises(ConflictError, match="required"):
        await agent.skip_step(run.id, 3, "no need")
    with pytest.raises(ConflictError, match="waits for"):
        await agent.complete_step(run.id, 3)
    with pytest.raises(ConflictError, match="already running"):
        await agent.start_run(d.case.id, d.workflow.id)
    cancelled = await agent.cancel_run(run.id, reason="deal fell through")
    assert cancelled.status == "cancelled"
    with pytest.raises(ConflictError, match="cancelled"):
        await agent.submit_step(run.id, 1, {"price": 5000})


async def test_who_joins_in_a_role_takes_the_steps_that_fell_back_to_the_owner(
    db: DatabaseService,
) -> None:
    d = await deal(db)
    agent = db.acting_as(d.agent.id)
    case = await agent.create_case(
        {"title": "3 Quay Lane", "kind": "purchase", "case_role": "buyers_agent", "country": "US"}
    )
    run = await agent.start_run(case.id, d.workflow.id)
    assert {s.number: s.assignee_id for s in run.steps}[4] == d.agent.id  # nobody inspects yet
    await agent.submit_step(run.id, 1, {"price": 300000})
    run = await agent.complete_step(run.id, 2, falls_on=date(2027, 3, 5))
    inspection = {s.number: s for s in run.steps}[4]
    assert inspection.status == "ready" and inspection.task_id is not None

    await agent.create_case_participant(
        {"case_id": str(case.id), "user_id": str(d.inspector.id), "case_role": "inspector"}
    )
    run = await agent.find_run_by_id(run.id)
    steps = {s.number: s for s in run.steps}
    assert steps[4].assignee_id == d.inspector.id
    assert (await db.find_task_by_id(steps[4].task_id)).user_id == d.inspector.id
    assert steps[3].assignee_id == d.agent.id  # no case role: the owner's still
    events = await agent.find_run_log(run.id)
    assert [(e.kind, e.step_key) for e in events if e.kind == "assigned"] == [
        ("assigned", steps[4].key)
    ]

    # A second inspector joining takes nothing from the first.
    other = await db.create_user(person("home-inspector", "Ike"))
    await agent.create_case_participant(
        {"case_id": str(case.id), "user_id": str(other.id), "case_role": "inspector"}
    )
    run = await agent.find_run_by_id(run.id)
    assert {s.number: s.assignee_id for s in run.steps}[4] == d.inspector.id


async def test_key_dates_and_due_dates_page_in_order(db: DatabaseService) -> None:
    """Dates are sort keys too: a keyset page goes on after the date it ended at."""
    d = await deal(db)
    agent = db.acting_as(d.agent.id)
    days = [date(2027, 3, 5), date(2027, 3, 14), date(2027, 4, 23)]
    for name, day in zip(
        ("contract_acceptance", "inspection_deadline", "closing"), days, strict=True
    ):
        await agent.set_key_date(d.case.id, name, day)
    seen, cursor = [], None
    while True:
        page = await agent.find_case_key_dates(
            case_id=d.case.id, sort="falls_on", descending=False, limit=1, cursor=cursor
        )
        seen += [k.falls_on for k in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == days

    run = await agent.start_run(d.case.id, d.workflow.id)
    await agent.submit_step(run.id, 1, {"price": 300000})
    await agent.complete_step(run.id, 2, falls_on=date(2027, 3, 5))
    due, cursor = [], None
    while True:
        steps = await agent.find_step_runs(
            run_id=run.id, sort="due_on", descending=False, limit=2, cursor=cursor
        )
        due += [s.due_on for s in steps.items]
        if steps.next_cursor is None:
            break
        cursor = steps.next_cursor
    assert len(due) == 7
    dated = [d for d in due if d is not None]
    assert dated == sorted(dated) and due[len(dated) :] == [None] * (7 - len(dated))
