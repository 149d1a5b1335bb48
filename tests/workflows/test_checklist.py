"""A run's checklist: which step may move where, and what follows from each move."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dreamery.core.errors import ConflictError
from dreamery.models.enums import StepKind
from dreamery.models.enums import StepRunStatus as S
from dreamery.workflows.checklist import FINISHED, Checklist, Progress, Step

# A purchase, in miniature: the offer, then inspection and appraisal side by side (the
# inspection optional), the broker's review of the file, and closing.
PURCHASE = Checklist(
    [
        Step("offer"),
        Step("inspection", required=False, depends_on=("offer",)),
        Step("appraisal", kind=StepKind.DATA, depends_on=("offer",)),
        Step("review", kind=StepKind.APPROVAL, depends_on=("inspection", "appraisal")),
        Step("closing", kind=StepKind.MILESTONE, depends_on=("review",)),
    ]
)


def test_a_new_run_is_ready_where_nothing_is_awaited() -> None:
    assert PURCHASE.start() == {
        "offer": S.READY,
        "inspection": S.BLOCKED,
        "appraisal": S.BLOCKED,
        "review": S.BLOCKED,
        "closing": S.BLOCKED,
    }


def test_a_step_waits_for_what_it_depends_on_and_says_for_what() -> None:
    with pytest.raises(
        ConflictError,
        match="cannot complete step 'appraisal', which is blocked: it waits for 'offer'",
    ):
        PURCHASE.complete(PURCHASE.start(), "appraisal")


def test_a_purchase_runs_to_its_end_with_a_return_by_the_reviewer() -> None:
    now = PURCHASE.complete(PURCHASE.start(), "offer")
    assert now["inspection"] is S.READY and now["appraisal"] is S.READY
    now = PURCHASE.skip(now, "inspection")
    now = PURCHASE.begin(now, "appraisal")
    now = PURCHASE.complete(now, "appraisal")
    assert now["review"] is S.READY
    with pytest.raises(ConflictError, match="its reviewer approves it"):
        PURCHASE.complete(now, "review")
    with pytest.raises(ConflictError, match="cannot approve step 'review', which is ready"):
        PURCHASE.approve(now, "review")
    now = PURCHASE.send_back(PURCHASE.begin(now, "review"), "review")
    assert now["review"] is S.RETURNED and now["closing"] is S.BLOCKED
    now = PURCHASE.approve(PURCHASE.begin(now, "review"), "review")
    assert not PURCHASE.complete_run(now)
    now = PURCHASE.complete(now, "closing")
    assert PURCHASE.complete_run(now)


def test_reopening_sends_everything_that_followed_back_to_blocked() -> None:
    now = PURCHASE.start()
    for key in ("offer", "inspection", "appraisal"):
        now = PURCHASE.complete(now, key)
    now = PURCHASE.begin(now, "review")
    reopened = PURCHASE.reopen(now, "offer")
    assert reopened == {
        "offer": S.READY,
        "inspection": S.BLOCKED,
        "appraisal": S.BLOCKED,
        "review": S.BLOCKED,
        "closing": S.BLOCKED,
    }
    assert now["review"] is S.IN_PROGRESS  # what was given is left as it was


def test_only_optional_steps_are_skipped_and_only_finished_ones_reopened() -> None:
    now = PURCHASE.start()
    with pytest.raises(ConflictError, match="'offer' is required"):
        PURCHASE.skip(now, "offer")
    assert PURCHASE.skip(now, "inspection")["inspection"] is S.SKIPPED  # even in advance
    with pytest.raises(ConflictError, match="cannot reopen step 'offer', which is ready"):
        PURCHASE.reopen(now, "offer")
    with pytest.raises(ConflictError, match="not a step of this workflow"):
        PURCHASE.complete(now, "nothing")
    with pytest.raises(ConflictError, match="not an approval step"):
        PURCHASE.approve(now, "offer")


def test_a_definition_whose_steps_point_forward_is_refused() -> None:
    with pytest.raises(ValueError, match="'a' depends on 'b', which is not an earlier step"):
        Checklist([Step("a", depends_on=("b",)), Step("b")])
    with pytest.raises(ValueError, match="same key"):
        Checklist([Step("a"), Step("a")])


def test_progress_counts_what_is_left_and_what_is_late() -> None:
    timed = Checklist(
        [
            Step("offer", minutes=30),
            Step("inspection", required=False, depends_on=("offer",), minutes=120),
            Step("appraisal", depends_on=("offer",), minutes=90),
            Step("closing", depends_on=("appraisal",)),
        ]
    )
    due = {
        "offer": date(2026, 11, 30),
        "inspection": date(2026, 12, 4),
        "appraisal": date(2026, 11, 28),
        "closing": None,
    }
    now = timed.complete(timed.start(), "offer")
    progress = timed.progress(now, due, today=date(2026, 12, 1))
    assert progress == Progress(
        finished=1,
        total=4,
        required_left=2,
        minutes_left=210,
        next_due=("appraisal", date(2026, 11, 28)),
        overdue=("appraisal",),
    )
    now = timed.complete(timed.skip(now, "inspection"), "appraisal")
    progress = timed.progress(now, due, today=date(2026, 12, 1))
    assert (progress.finished, progress.required_left, progress.minutes_left) == (3, 1, 0)
    assert progress.next_due is None and progress.overdue == ()


KEYS = st.sampled_from(list(PURCHASE.steps))


class AnyOrderOfMoves(RuleBasedStateMachine):
    """Every move tried in any order: a refused one changes nothing, and after every move no
    step has gone ahead of what it depends on, and no required step is skipped."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses = PURCHASE.start()

    def _try(self, move: str, key: str) -> None:
        before = dict(self.statuses)
        try:
            self.statuses = getattr(PURCHASE, move)(self.statuses, key)
        except ConflictError:
            assert self.statuses == before
        else:
            assert (
                self.statuses[key]
                in {
                    "begin": {S.IN_PROGRESS},
                    "complete": {S.DONE},
                    "approve": {S.DONE},
                    "send_back": {S.RETURNED},
                    "skip": {S.SKIPPED},
                    "reopen": {S.READY, S.BLOCKED},
                }[move]
            )

    @rule(
        key=KEYS,
        move=st.sampled_from(["begin", "complete", "approve", "send_back", "skip", "reopen"]),
    )
    def move(self, key: str, move: str) -> None:
        self._try(move, key)

    @precondition(lambda self: PURCHASE.complete_run(self.statuses))
    @rule()
    def finished(self) -> None:
        assert all(self.statuses[k] is S.DONE for k in ("offer", "appraisal", "review", "closing"))

    @invariant()
    def nothing_runs_ahead(self) -> None:
        for key, step in PURCHASE.steps.items():
            waiting = any(self.statuses[d] not in FINISHED for d in step.depends_on)
            if waiting:
                assert self.statuses[key] in {S.BLOCKED, S.SKIPPED}, (key, self.statuses)
            else:
                assert self.statuses[key] is not S.BLOCKED, (key, self.statuses)
            if step.required:
                assert self.statuses[key] is not S.SKIPPED


TestAnyOrderOfMoves = AnyOrderOfMoves.TestCase
