"""The demo seeder's runs: driven through the workflow operations, as the people on each
case, into every state a run can be in, each change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.catalog.demo import seed_demo
from dreamery.core.context import SYSTEM_ACTOR, Caller
from dreamery.models import AuditLog, RunEvent, StepRun, Task, WorkflowRun
from dreamery.workflows import runs
from dreamery.workflows.demo import DemoRunState, demo_run_count, seed_demo_runs

pytestmark = pytest.mark.usefixtures("backend")


async def test_demo_runs_reach_every_state_through_the_operations(session: AsyncSession) -> None:
    before = set(await session.scalars(select(WorkflowRun.id)))
    await seed_demo(session, 200, seed=7)
    reached = await seed_demo_runs(session, demo_run_count(200))
    assert set(reached) == set(DemoRunState), reached
    made = [run for run in await session.scalars(select(WorkflowRun)) if run.id not in before]
    assert len(made) == reached.total() <= demo_run_count(200)

    for run in made:
        steps = list(await session.scalars(select(StepRun).where(StepRun.run_id == run.id)))
        events = list(
            await session.scalars(
                select(RunEvent).where(RunEvent.run_id == run.id).order_by(RunEvent.sequence)
            )
        )
        assert events[0].kind == "started" and events[0].actor_id == run.owner_id
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.resource == "workflow_run", AuditLog.resource_id == str(run.id))
        )
        assert audited and audited >= 1
        if run.status == "completed":
            assert run.completed_at is not None
            view = await runs.read_run(session, Caller(SYSTEM_ACTOR), run.id)
            assert view.progress.required_left == 0
            assert all(s.status == "done" for s in view.steps if s.required)
            assert events[-1].kind == "run_completed"
        elif run.status == "cancelled":
            assert events[-1].kind == "cancelled"
            for step in steps:
                task = await session.get(Task, step.task_id) if step.task_id else None
                if task is not None:  # open work is called off; what was done stays done
                    assert task.status == ("completed" if step.status == "done" else "cancelled")
    returned = list(
        await session.scalars(
            select(StepRun).where(
                StepRun.status == "returned", StepRun.run_id.in_([r.id for r in made])
            )
        )
    )
    assert returned and all(step.review_note for step in returned)

    # Seeding again drives other cases, never a case that has a run already.
    again = await seed_demo_runs(session, demo_run_count(200))
    cases = [run.case_id for run in await session.scalars(select(WorkflowRun))]
    assert len(cases) == len(set(cases)) == len(before) + len(made) + again.total()
