"""A submission that fails half-way (after its first write) keeps nothing: the run, its
steps, their tasks and its log are as they were, in a database that really commits."""

from __future__ import annotations

from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.workflows import runs
from tests.workflows.runs_support import deal

pytestmark = pytest.mark.usefixtures("backend")


class Crash(RuntimeError):
    pass


async def test_a_crash_mid_submission_leaves_the_run_whole(
    committing_db: DatabaseService, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = committing_db
    d = await deal(db)
    agent = db.acting_as(d.agent.id)
    run = await agent.start_run(d.case.id, d.workflow.id)
    run = await agent.submit_step(run.id, 1, {"price": 450000})
    events_before = await agent.find_run_log(run.id)
    tasks_before = (await db.find_tasks(case_id=d.case.id)).items

    writes: list[str] = []
    real_write = runs._write

    async def write_then_crash(*args: Any, **kwargs: Any) -> None:
        await real_write(*args, **kwargs)
        writes.append("written")
        raise Crash("the process died here")

    monkeypatch.setattr(runs, "_write", write_then_crash)
    with pytest.raises(Crash):
        await agent.complete_step(run.id, 2, falls_on="2027-03-05")
    monkeypatch.undo()
    assert writes == ["written"]  # the step's new status had reached the database

    after = await agent.find_run_by_id(run.id)
    assert after.model_dump() == run.model_dump()
    assert await agent.find_run_log(run.id) == events_before
    assert (await db.find_tasks(case_id=d.case.id)).items == tasks_before
    assert await agent.find_key_dates(d.case.id) == []
    # And the run goes on from there.
    moved = await agent.complete_step(run.id, 2, falls_on="2027-03-05")
    assert {s.number: s.status for s in moved.steps}[2] == "done"


async def test_a_crash_mid_data_submission_keeps_none_of_the_data(
    committing_db: DatabaseService, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = committing_db
    d = await deal(db)
    agent = db.acting_as(d.agent.id)
    run = await agent.start_run(d.case.id, d.workflow.id)
    events_before = await agent.find_run_log(run.id)
    real_write = runs._write
    writes: list[str] = []

    async def write_then_crash(*args: Any, **kwargs: Any) -> None:
        await real_write(*args, **kwargs)
        writes.append("written")
        raise Crash("the connection dropped here")

    monkeypatch.setattr(runs, "_write", write_then_crash)
    with pytest.raises(Crash):
        await agent.submit_step(run.id, 1, {"price": 450000})
    monkeypatch.undo()
    assert writes == ["written"]

    after = await agent.find_run_by_id(run.id)
    assert after.model_dump() == run.model_dump()
    first = after.steps[0]
    assert (first.status, first.data, first.submitted_by) == ("ready", None, None)
    assert await agent.find_run_log(run.id) == events_before
    assert (await agent.submit_step(run.id, 1, {"price": 450000})).steps[0].status == "done"
