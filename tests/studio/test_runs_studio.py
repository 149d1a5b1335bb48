"""A workflow run in the studio: its page shows the checklist with progress and due dates,
and each step's operations are buttons that go through the service layer."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import httpx
import pytest

from dreamery import DatabaseService
from tests.studio.conftest import ajax
from tests.workflows.runs_support import deal

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_run_shows_its_checklist_and_its_steps_act_through_the_service(
    client: httpx.AsyncClient, studio_db: DatabaseService, admin: Any
) -> None:
    d = await deal(studio_db)
    agent = studio_db.acting_as(d.agent.id)
    run = await agent.start_run(d.case.id, d.workflow.id)
    await agent.submit_step(run.id, 1, {"price": 410000})
    run = await agent.complete_step(run.id, 2, falls_on=date(2020, 3, 5))  # long past
    steps = {s.number: s for s in run.steps}

    page = await client.get("/studio/workflow-runs/detail", params={"pk": str(run.id)})
    assert page.status_code == 200, page.text
    text = html.unescape(page.text)
    assert "data-studio-checklist" in text
    assert "2 of 7 steps finished" in text and "4 required left" in text
    assert re.search(r'aria-valuenow="29"', text)  # 2 of 7
    # Earnest money was due 3 business days after the acceptance: long overdue.
    assert "Overdue: 3. Earnest money (2020-03-10)" in text
    shown = dict(re.findall(r'data-studio-step="(\d+)" data-studio-status="(\w+)"', text))
    assert shown == {str(n): s.status for n, s in steps.items()}
    assert "Al Tester" in text and "Ivy Tester" in text  # the assignees, by name
    assert f"step-runs/detail?pk={steps[3].id}" in text

    # The step's page offers what its state allows, and the button does it.
    step_page = await client.get("/studio/step-runs/detail", params={"pk": str(steps[3].id)})
    assert "operation-complete" in step_page.text and "operation-approve" not in step_page.text
    done = await client.post(
        "/studio/_api/step-runs/row-action",
        params={"name": "operation-complete", "pk": str(steps[3].id)},
        data={"note": "Receipt in the file."},
        headers=ajax(client),
    )
    assert done.status_code == 200, done.text
    after = {s.number: s for s in (await agent.find_run_by_id(run.id)).steps}
    assert after[3].status == "done" and after[3].completed_by == admin.id
    task = await studio_db.find_task_by_id(after[3].task_id)
    assert task.status == "completed"  # its task followed
    events = await agent.find_run_log(run.id)
    assert (events[-1].kind, events[-1].actor_id, events[-1].note) == (
        "completed",
        admin.id,
        "Receipt in the file.",
    )
    # A step that is not ready yet is refused, with the reason.
    refused = await client.post(
        "/studio/_api/step-runs/row-action",
        params={"name": "operation-complete", "pk": str(steps[7].id)},
        data={},
        headers=ajax(client),
    )
    assert refused.status_code == 400
    assert "blocked" in refused.json()["msg"]
