"""The rules of a workflow run's checklist: which step may move where, and what follows.

This is the state machine alone, over plain values, so that the run's service applies it
to stored step runs and a test can drive it through any sequence. Each operation either
returns the new statuses of every step or raises `ConflictError` naming the step, where it
stands and why it cannot move; it never changes the statuses it was given.

- A step is `blocked` until every step it depends on is `done` or `skipped`, then `ready`.
- `start` takes a ready (or returned) step `in_progress`; `complete` marks a ready, started
  or returned step `done`. An approval step is completed by its reviewer's `approve`, and
  only once it was submitted (started); `send_back` returns it, to be done again.
- `skip` passes over an optional step that is not done; a required one cannot be skipped.
- `reopen` takes a done or skipped step back to ready (or blocked, when what it depends on
  was reopened meanwhile), and every step that depends on it, directly or not, back to
  blocked: what was done on the old result has to be done again. Skipped dependants stay
  skipped.
- The run is complete when every required step is done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dreamery.core.errors import ConflictError
from dreamery.models.enums import StepKind
from dreamery.models.enums import StepRunStatus as S

FINISHED = frozenset({S.DONE, S.SKIPPED})
OPEN = frozenset({S.READY, S.IN_PROGRESS, S.RETURNED})

Statuses = dict[str, S]


@dataclass(frozen=True)
class Step:
    """One step of the run's definition: its key, kind, whether it is required, and the keys
    of the earlier steps it depends on."""

    key: str
    kind: StepKind = StepKind.TASK
    required: bool = True
    depends_on: tuple[str, ...] = ()
    minutes: int | None = None  # the estimated duration


@dataclass(frozen=True)
class Progress:
    """How far a run is: steps finished (done or skipped) of all, required steps not done,
    the estimated minutes of the steps still to do (those with an estimate), the next open
    step by due date, and the open steps past their due date, soonest due first."""

    finished: int
    total: int
    required_left: int
    minutes_left: int
    next_due: tuple[str, date] | None
    overdue: tuple[str, ...]


class Checklist:
    """The steps of one definition version, in order, with their dependencies checked."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = {step.key: step for step in steps}
        self._order = {key: number for number, key in enumerate(self.steps)}
        if len(self.steps) != len(steps):
            raise ValueError("steps: two steps have the same key")
        seen: set[str] = set()
        for step in steps:
            unknown = [key for key in step.depends_on if key not in seen]
            if unknown:
                raise ValueError(
                    f"steps: {step.key!r} depends on {', '.join(map(repr, unknown))}, "
                    "which is not an earlier step"
                )
            seen.add(step.key)

    def start(self) -> Statuses:
        """The statuses of a run just started."""
        return self._unblocked(dict.fromkeys(self.steps, S.BLOCKED))

    def begin(self, statuses: Mapping[str, S], key: str) -> Statuses:
        """`key` started (for an approval step: submitted for review)."""
        return self._move(statuses, key, S.IN_PROGRESS, {S.READY, S.RETURNED}, "start")

    def complete(self, statuses: Mapping[str, S], key: str) -> Statuses:
        """`key` done, by whoever does it; an approval step is done by `approve` only."""
        if self._step(key).kind is StepKind.APPROVAL:
            raise ConflictError(f"step {key!r} is an approval: its reviewer approves it")
        return self._move(statuses, key, S.DONE, OPEN, "complete")

    def approve(self, statuses: Mapping[str, S], key: str) -> Statuses:
        """The reviewer passes the approval step `key`, once it was submitted."""
        self._approval(key)
        return self._move(statuses, key, S.DONE, {S.IN_PROGRESS}, "approve")

    def send_back(self, statuses: Mapping[str, S], key: str) -> Statuses:
        """The reviewer returns the approval step `key`, once it was submitted."""
        self._approval(key)
        return self._move(statuses, key, S.RETURNED, {S.IN_PROGRESS}, "return")

    def skip(self, statuses: Mapping[str, S], key: str) -> Statuses:
        """Pass over the optional step `key`."""
        if self._step(key).required:
            raise ConflictError(f"step {key!r} is required: it cannot be skipped")
        return self._move(statuses, key, S.SKIPPED, OPEN | {S.BLOCKED}, "skip")

    def reopen(self, statuses: Mapping[str, S], key: str) -> Statuses:
        """`key` to be done again; what depends on it, directly or not, goes back to blocked."""
        moved = self._move(statuses, key, S.READY, FINISHED, "reopen")
        for dependant in self._dependants(key):
            if moved[dependant] is not S.SKIPPED:
                moved[dependant] = S.BLOCKED
        moved[key] = S.BLOCKED
        return self._unblocked(moved)

    def settle(self, statuses: Mapping[str, S]) -> Statuses:
        """`statuses` made consistent: steps whose dependencies are finished are ready,
        open steps waiting on unfinished ones blocked (after the definition changed)."""
        return self._unblocked(dict(statuses))

    def complete_run(self, statuses: Mapping[str, S]) -> bool:
        """Whether every required step is done."""
        return all(statuses[key] is S.DONE for key, step in self.steps.items() if step.required)

    def progress(
        self, statuses: Mapping[str, S], due: Mapping[str, date | None], today: date
    ) -> Progress:
        """The run's progress, with `due` the steps' due dates and `today` the case's date."""
        to_do = [key for key in self.steps if statuses[key] not in FINISHED]
        dated = sorted(
            ((when, key) for key in to_do if (when := due.get(key)) is not None),
            key=lambda pair: (pair[0], self._order[pair[1]]),
        )
        return Progress(
            finished=len(self.steps) - len(to_do),
            total=len(self.steps),
            required_left=sum(
                1
                for key, step in self.steps.items()
                if step.required and statuses[key] is not S.DONE
            ),
            minutes_left=sum(self.steps[key].minutes or 0 for key in to_do),
            next_due=(dated[0][1], dated[0][0]) if dated else None,
            overdue=tuple(key for when, key in dated if when < today),
        )

    def _step(self, key: str) -> Step:
        try:
            return self.steps[key]
        except KeyError:
            raise ConflictError(f"step {key!r} is not a step of this workflow") from None

    def _approval(self, key: str) -> None:
        if self._step(key).kind is not StepKind.APPROVAL:
            raise ConflictError(f"step {key!r} is not an approval step")

    def _move(
        self,
        statuses: Mapping[str, S],
        key: str,
        target: S,
        sources: set[S] | frozenset[S],
        verb: str,
    ) -> Statuses:
        self._step(key)
        current = statuses[key]
        if current not in sources:
            reason = ""
            if current is S.BLOCKED:
                waiting = [d for d in self.steps[key].depends_on if statuses[d] not in FINISHED]
                reason = f": it waits for {', '.join(map(repr, waiting))}"
            raise ConflictError(f"cannot {verb} step {key!r}, which is {current.value}{reason}")
        moved = dict(statuses)
        moved[key] = target
        return self._unblocked(moved)

    def _unblocked(self, statuses: Statuses) -> Statuses:
        """Blocked steps whose dependencies are all finished become ready; open steps whose
        dependencies are not (after a reopen) become blocked."""
        for key, step in self.steps.items():  # in order: dependencies come first
            ready = all(statuses[d] in FINISHED for d in step.depends_on)
            if statuses[key] is S.BLOCKED and ready:
                statuses[key] = S.READY
            elif statuses[key] in OPEN and not ready:
                statuses[key] = S.BLOCKED
        return statuses

    def _dependants(self, key: str) -> list[str]:
        found: list[str] = []
        for other, step in self.steps.items():
            if any(d == key or d in found for d in step.depends_on):
                found.append(other)
        return found
