"""The seeded purchase workflow, run over HTTP on a case from its opening to its closing: a
buyer's agent of a brokerage, its broker who reviews, an inspector and a lender of their own
firms; rules that refuse, a return by the broker, and a closing date moved mid-way."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dreamery import DatabaseService
from tests.hub import Person, SignUp
from tests.orgs import firm

pytestmark = pytest.mark.usefixtures("backend")


class Run:
    """One run of a case over HTTP, as `person` sees it."""

    def __init__(self, client: httpx.AsyncClient, run_id: str) -> None:
        self.client, self.id = client, run_id

    async def read(self, person: Person) -> dict[str, Any]:
        answer = await self.client.get(f"/api/v1/runs/{self.id}", headers=person.headers)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def act(
        self, person: Person, step: int | str, verb: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/runs/{self.id}/steps/{step}/{verb}", json=body or {}, headers=person.headers
        )

    async def do(
        self, person: Person, step: int | str, verb: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        answer = await self.act(person, step, verb, body)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def steps_of(run: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {step["number"]: step for step in run["steps"]}


async def joined(db: DatabaseService, *people: Person, kind: str) -> None:
    users = [await db.find_user_by_id(p.id) for p in people]
    await firm(db, users[0], *users[1:], kind=kind)


async def test_a_seeded_purchase_runs_from_opening_to_closing(
    client: httpx.AsyncClient, sign_up: SignUp, api_db: DatabaseService
) -> None:
    agent = await sign_up("real-estate-agent")
    broker = await sign_up("real-estate-broker", given=True)
    inspector = await sign_up("home-inspector")
    lender = await sign_up("mortgage-lender", given=True)
    await joined(api_db, broker, agent, kind="brokerage")
    await joined(api_db, inspector, kind="other")
    await joined(api_db, lender, kind="other")

    # Opening a purchase starts the catalogue's purchase workflow.
    opened = await client.post(
        "/api/v1/cases",
        json={
            "title": "12 Harbor Street",
            "kind": "purchase",
            "case_role": "buyers_agent",
            "city": "Portland",
            "region": "ME",
            "country": "US",
        },
        headers=agent.headers,
    )
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]
    listed = await client.get(f"/api/v1/cases/{case_id}/runs", headers=agent.headers)
    assert listed.status_code == 200, listed.text
    [started] = listed.json()
    assert started["workflow_name"] == "Buyer Representation Workflow"
    run = Run(client, started["id"])
    steps = steps_of(started)
    assert len(steps) == 12 and steps[1]["status"] == "ready"
    assert {n for n, s in steps.items() if s["status"] == "blocked"} == set(range(2, 13))
    assert started["progress"] | {"next_due": None} == {
        "finished": 0,
        "total": 12,
        "percent": 0,
        "required_left": 11,
        "minutes_left": sum(s["estimated_duration"] or 0 for s in steps.values()),
        "next_due": None,
        "overdue": [],
    }

    # The inspector and the lender join; the steps done in their roles go to them.
    for person, role in ((inspector, "inspector"), (lender, "lender")):
        added = await client.post(
            "/api/v1/case-participants",
            json={"case_id": case_id, "user_id": str(person.id), "case_role": role},
            headers=agent.headers,
        )
        assert added.status_code == 201, added.text
    steps = steps_of(await run.read(agent))
    assignees = {n: s["assignee_id"] for n, s in steps.items()}
    assert {n for n, a in assignees.items() if a == str(inspector.id)} == {7, 8}
    assert {n for n, a in assignees.items() if a == str(lender.id)} == {9, 11}
    assert {n for n, a in assignees.items() if a == str(agent.id)} == {1, 2, 3, 4, 5, 6, 10, 12}

    # Every failed rule at once, by field; nothing kept.
    refused = await run.act(
        agent,
        1,
        "submit",
        {
            "data": {
                "buyerEmail": "dana at example",
                "buyerAgreementSignedDate": "2099-01-01",
                "agreementExpirationDate": "2001-01-01",
            }
        },
    )
    assert refused.status_code == 422, refused.text
    assert {e["field"] for e in refused.json()["errors"]} == {
        "data.buyerEmail",
        "data.buyerAgreementSignedDate",
        "data.agreementExpirationDate",
    }
    assert steps_of(await run.read(agent))[1]["status"] == "ready"
    assert steps_of(await run.read(agent))[1]["data"] is None

    await run.do(
        agent,
        1,
        "submit",
        {
            "data": {
                "buyerEmail": "dana@example.com",
                "buyerAgreementSignedDate": "2026-01-10",
                "agreementExpirationDate": "2099-07-10",
            }
        },
    )
    await run.do(
        agent, 2, "submit", {"data": {"preApprovalAmount": 420000, "lenderName": "Casco Bank"}}
    )
    refused = await run.act(agent, 3, "submit", {"data": {"searchCriteria": "cheap"}})
    assert {e["field"] for e in refused.json()["errors"]} == {
        "data.searchCriteria",
        "data.homesToured",
    }
    await run.do(
        agent,
        3,
        "submit",
        {"data": {"searchCriteria": "Munjoy Hill, 3 beds, under $450k, parking", "homesToured": 6}},
    )
    await run.do(
        agent, 4, "submit", {"data": {"offerPrice": 415000, "offerExpiration": "2099-03-06"}}
    )

    # Acceptance on a Friday: the deadlines counted from it fall due.
    await run.do(agent, 5, "complete", {"falls_on": "2027-03-05"})
    steps = steps_of(await run.read(agent))
    assert steps[6]["due_on"] == "2027-03-10"  # earnest money: 3 business days
    assert steps[9]["due_on"] == "2027-03-10"  # appraisal ordered: 5 calendar days
    assert steps[7]["due_on"] is None  # no inspection deadline yet
    assert {steps[n]["status"] for n in (6, 7, 9)} == {"ready"}
    assert steps[8]["status"] == "blocked"
    earnest = await client.get(f"/api/v1/tasks/{steps[6]['task_id']}", headers=agent.headers)
    assert earnest.json()["due_date"].startswith("2027-03-10")

    # The inspection deadline falls on a Sunday: the inspection is due the Friday before.
    dated = await client.put(
        f"/api/v1/cases/{case_id}/key-dates/inspection_deadline",
        json={"falls_on": "2027-03-14"},
        headers=agent.headers,
    )
    assert dated.status_code == 200, dated.text
    steps = steps_of(await run.read(inspector))
    assert steps[7]["due_on"] == "2027-03-12"
    told = await client.get(
        "/api/v1/notifications", params={"category": "workflow"}, headers=inspector.headers
    )
    assert any("Home Inspection" in n["title"] for n in told.json()["items"])

    # Each does their own steps, and nothing else.
    assert (await run.act(inspector, 9, "complete")).status_code == 403
    assert (await run.act(lender, 7, "complete")).status_code == 403
    await run.do(agent, 6, "complete")
    await run.do(inspector, 7, "complete")
    await run.do(agent, 8, "skip", {"reason": "The general inspection found nothing to follow up."})
    await run.do(lender, 9, "complete")

    # Closing set, then moved a week mid-way: clear to close and the review move with it.
    for closing, review_due, clear_due in (
        ("2027-04-16", "2027-04-09", "2027-04-13"),
        # Maine keeps Patriots' Day (Monday 19 April): not a business day there.
        ("2027-04-23", "2027-04-15", "2027-04-20"),
    ):
        dated = await client.put(
            f"/api/v1/cases/{case_id}/key-dates/closing",
            json={"falls_on": closing},
            headers=agent.headers,
        )
        assert dated.status_code == 200, dated.text
        steps = steps_of(await run.read(agent))
        assert (steps[10]["due_on"], steps[11]["due_on"]) == (review_due, clear_due)
    clear = await client.get(f"/api/v1/tasks/{steps[11]['task_id']}", headers=lender.headers)
    assert clear.json()["due_date"].startswith("2027-04-20")

    # The broker reviews: returned once with a note, passed on the second submission; the
    # agent who submitted it may not pass it.
    await run.do(agent, 10, "submit", {"note": "File complete."})
    assert (await run.act(agent, 10, "approve")).status_code == 403
    returned = await run.do(
        broker, 10, "return", {"note": "The earnest money receipt is not in the file."}
    )
    review = steps_of(returned)[10]
    assert review["status"] == "returned"
    assert review["review_note"] == "The earnest money receipt is not in the file."
    await run.do(agent, 10, "submit", {"note": "Receipt added."})
    await run.do(broker, 10, "approve")
    await run.do(lender, 11, "complete")
    finished = await run.do(agent, 12, "complete", {"falls_on": "2027-04-23"})

    assert finished["status"] == "completed" and finished["completed_at"] is not None
    assert finished["progress"]["finished"] == 12 and finished["progress"]["percent"] == 100
    assert finished["progress"]["required_left"] == 0
    key_dates = await client.get(f"/api/v1/cases/{case_id}/key-dates", headers=agent.headers)
    assert {(k["name"], k["falls_on"]) for k in key_dates.json()} >= {
        ("contract_acceptance", "2027-03-05"),
        ("closing", "2027-04-23"),
    }
    events = await client.get(f"/api/v1/runs/{run.id}/events", headers=broker.headers)
    kinds = [e["kind"] for e in events.json()]
    assert kinds[0] == "started" and kinds[-1] == "run_completed"
    assert {"returned", "approved", "skipped", "due_moved", "assigned"} <= set(kinds)
    sequences = [e["sequence"] for e in events.json()]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    # Nobody else on the hub sees any of it.
    stranger = await sign_up("real-estate-agent")
    assert (await client.get(f"/api/v1/runs/{run.id}", headers=stranger.headers)).status_code == 404
