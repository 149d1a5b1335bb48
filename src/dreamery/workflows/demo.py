"""Demo runs for `dreamery db seed --demo N`: some of the demo cases run their default
workflow, driven by the same operations a user calls (each audited, each with its access
check), as the people on the case, into every state a run can be in: just started, mid-way,
returned by the reviewer, completed and cancelled.

Data steps are filled with values made from their own rules; a document step files a draft
of its template on the case; the key dates the due rules count from are set a few weeks out,
so that some steps are overdue and some upcoming.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.cases import service as cases
from dreamery.cases.schemas import KeyDateSet
from dreamery.core.context import SYSTEM_ACTOR, Caller
from dreamery.core.errors import DreameryError
from dreamery.documents.service import create_document_instance
from dreamery.models import Case, Membership, User, Workflow, WorkflowRun
from dreamery.models.enums import (
    CaseStatus,
    MembershipStatus,
    OrgRole,
    StepKind,
    StepRunStatus,
    ValidationRuleType,
)
from dreamery.rbac.service import actor_for
from dreamery.workflows import runs
from dreamery.workflows.schemas import (
    RuleView,
    RunCancel,
    RunRead,
    StepComplete,
    StepReview,
    StepSubmit,
    StepView,
)

# At most this many demo runs per seeding, however many professionals it adds.
MAX_DEMO_RUNS = 60
_REVIEWERS = (OrgRole.OWNER, OrgRole.ADMIN, OrgRole.REVIEWER)
_WORKABLE = (StepRunStatus.READY, StepRunStatus.IN_PROGRESS, StepRunStatus.RETURNED)


# Values of the shapes that patterned fields take (identifiers, codes, links, times).
_PATTERNED = (
    "MLS-204817",
    "https://media.example.com/demo",
    "12-3456789",
    "ME",
    "123-45-6789",
    "204817",
    "2026",
    "1.0.0",
    "09:30",
    "6/12",
    "Harbor Street Holdings LLC",
)


class DemoRunState(StrEnum):
    STARTED = "started"
    MIDWAY = "midway"
    RETURNED = "returned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def demo_run_count(professionals: int) -> int:
    """How many runs a demo of `professionals` drives: one per ten, at least one of each
    state, at most `MAX_DEMO_RUNS`."""
    return min(MAX_DEMO_RUNS, max(len(DemoRunState), professionals // 10))


async def seed_demo_runs(session: AsyncSession, count: int) -> Counter[DemoRunState]:
    """Drive up to `count` open cases that have no run yet through their kind's default
    workflow, the states in turn; how many runs ended in each state."""
    kinds = {
        kind
        for listed in await session.scalars(
            select(Workflow.default_for).where(
                Workflow.is_active.is_(True), Workflow.deleted_at.is_(None)
            )
        )
        for kind in listed or []
    }
    found = await session.scalars(
        select(Case)
        .where(
            Case.status == CaseStatus.OPEN,
            Case.deleted_at.is_(None),
            Case.created_by.in_(select(User.id).where(User.is_active.is_(True))),
            Case.kind.in_(sorted(kinds)),
            ~Case.id.in_(select(WorkflowRun.case_id)),
        )
        .order_by(Case.created_at.desc(), Case.id)
        .limit(count)
    )
    reached: Counter[DemoRunState] = Counter()
    states = itertools.cycle(DemoRunState)
    for case in list(found):
        reached[await _Driver(session, case).drive(next(states))] += 1
    return reached


class _Driver:
    """One case's run, moved along by whoever each step is for."""

    def __init__(self, session: AsyncSession, case: Case) -> None:
        self.session, self.case = session, case
        self.today = runs.today()
        self._callers: dict[uuid.UUID, Caller] = {}

    async def caller(self, user_id: uuid.UUID) -> Caller:
        if user_id not in self._callers:
            self._callers[user_id] = Caller(await actor_for(self.session, user_id))
        return self._callers[user_id]

    async def drive(self, goal: DemoRunState) -> DemoRunState:
        assert self.case.created_by is not None  # chosen so
        owner = await self.caller(self.case.created_by)
        started = await runs.start_default_run(self.session, owner, self.case)
        assert started is not None  # chosen so
        run_id = started.id
        view = await runs.read_run(self.session, owner, run_id)
        await self._date_the_deadlines(owner, view)
        if goal is DemoRunState.STARTED:
            return goal
        stop_after = {
            DemoRunState.MIDWAY: len(view.steps) // 2,
            DemoRunState.CANCELLED: 2,
        }.get(goal, len(view.steps))
        done = 0
        while done < stop_after:
            view = await runs.read_run(self.session, owner, run_id)
            step = next((s for s in view.steps if s.status in _WORKABLE), None)
            if step is None:
                break
            returning = goal is DemoRunState.RETURNED and step.kind is StepKind.APPROVAL
            if not await self._do(view, step, return_it=returning):
                break  # a step the demo cannot fill in: the run stays where it got to
            if returning:
                return goal
            done += 1
        view = await runs.read_run(self.session, owner, run_id)
        if goal is DemoRunState.CANCELLED:
            await runs.cancel_run(
                self.session, owner, run_id, RunCancel(reason="The buyer walked away.")
            )
            return goal
        if view.status == "completed":
            return DemoRunState.COMPLETED
        return DemoRunState.MIDWAY if view.progress.finished else DemoRunState.STARTED

    async def _date_the_deadlines(self, owner: Caller, view: RunRead) -> None:
        """Set the key dates the due rules count from that no step of the run records."""
        recorded = {s.key_date for s in view.steps if s.key_date}
        wanted = sorted({s.due.key_date for s in view.steps if s.due and s.due.key_date})
        for weeks, name in enumerate(n for n in wanted if n not in recorded):
            falls_on = self.today + timedelta(days=10 + 7 * weeks)
            await cases.set_key_date(
                self.session, owner, self.case.id, name, KeyDateSet(falls_on=falls_on)
            )

    async def _do(self, view: RunRead, step: StepView, *, return_it: bool) -> bool:
        """Do the step as its assignee (and review it, for an approval); whether it could."""
        assert step.assignee_id is not None  # every step has one: its role's, or the owner
        ref = str(step.number)
        try:
            doer = await self.caller(step.assignee_id)
            if step.kind is StepKind.DATA:
                data = sample_data(step.rules, step.required_fields, self.today)
                await runs.submit_step(self.session, doer, view.id, ref, StepSubmit(data=data))
            elif step.kind is StepKind.DOCUMENT:
                # Filed by the seeder for the doer: a catalogue template is its role's.
                document = await create_document_instance(
                    self.session,
                    Caller(SYSTEM_ACTOR),
                    {
                        "template_id": step.template_id,
                        "user_id": step.assignee_id,
                        "case_id": self.case.id,
                        "title": f"{step.name}: {self.case.title}"[:200],
                        "data": {},
                    },
                )
                submission = StepSubmit(document_id=document.id)
                await runs.submit_step(self.session, doer, view.id, ref, submission)
            elif step.kind is StepKind.APPROVAL:
                if step.status is not StepRunStatus.IN_PROGRESS:
                    note = "Ready for review."
                    await runs.submit_step(self.session, doer, view.id, ref, StepSubmit(note=note))
                return await self._review(view, step, doer, return_it=return_it)
            else:
                falls_on = self.today if step.kind is StepKind.MILESTONE else None
                await runs.complete_step(
                    self.session, doer, view.id, ref, StepComplete(falls_on=falls_on)
                )
        except DreameryError:
            return False  # e.g. a rule no sample passes, or a demo assignee who has left
        return True

    async def _review(
        self, view: RunRead, step: StepView, submitter: Caller, *, return_it: bool
    ) -> bool:
        reviewer_id = await self.session.scalar(
            select(Membership.user_id)
            .where(
                Membership.organization_id == self.case.organization_id,
                Membership.org_role.in_(_REVIEWERS),
                Membership.user_id != submitter.actor.user_id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.user_id.in_(select(User.id).where(User.is_active.is_(True))),
            )
            .order_by(Membership.org_role, Membership.user_id)
            .limit(1)
        )
        if reviewer_id is None:
            return False
        reviewer = await self.caller(reviewer_id)
        ref = str(step.number)
        if return_it:
            note = StepReview(note="Missing the signed disclosure; attach it and resubmit.")
            await runs.return_step(self.session, reviewer, view.id, ref, note)
        else:
            await runs.approve_step(self.session, reviewer, view.id, ref, StepReview())
        return True


def sample_data(
    rules: Iterable[RuleView], required_fields: Iterable[str], today: date
) -> dict[str, Any]:
    """Values for a data step's fields that its rules pass, where rules can say what passes
    (a pattern cannot: its field gets plain text, and the submission may be refused)."""
    by_field: dict[str, dict[ValidationRuleType, Any]] = {}
    for rule in rules:
        by_field.setdefault(rule.field, {})[rule.rule_type] = rule.value
    for name in required_fields:
        by_field.setdefault(name, {})
    return {name: _sample(kinds, today) for name, kinds in by_field.items()}


def _sample(kinds: Mapping[ValidationRuleType, Any], today: date) -> Any:
    T = ValidationRuleType
    if T.ONE_OF in kinds:
        return kinds[T.ONE_OF][0]
    if T.EMAIL in kinds:
        return "client@example.com"
    if T.DATE_RANGE in kinds:
        low, high = (kinds[T.DATE_RANGE] or {}).get("min"), (kinds[T.DATE_RANGE] or {}).get("max")
        if low is not None:
            return (
                today + timedelta(days=30) if low == "today" else date.fromisoformat(low)
            ).isoformat()
        if high is not None:
            return (
                today - timedelta(days=1) if high == "today" else date.fromisoformat(high)
            ).isoformat()
        return today.isoformat()
    if T.MIN_VALUE in kinds or T.MAX_VALUE in kinds:
        low, high = kinds.get(T.MIN_VALUE), kinds.get(T.MAX_VALUE)
        return low if low is not None else high
    if T.PATTERN in kinds:
        fits = (c for c in _PATTERNED if re.search(kinds[T.PATTERN], c))
        return next(fits, "demo")  # none fits: refused, and the run stops there
    text = "Recorded for the demo file, see the notes attached to the case."
    least = int(kinds.get(T.MIN_LENGTH) or 0)
    most = kinds.get(T.MAX_LENGTH)
    while len(text) < least:
        text += " " + text
    return text[: int(most)] if most is not None else text
