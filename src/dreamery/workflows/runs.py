"""Workflow runs: a workflow executed on a case, step by step.

A run reads its steps from the `WorkflowVersion` it was started on, never from the
definition, which its organization may go on editing. Every change is a named operation
here, decided by the checklist's rules (`checklist`), judged by the step's validation rules
(`rules`), dated by its due rule (`deadlines`), audited, and written to the run's own event
log; a task step's task follows its step, and the step follows its task.

Who may do what, on top of reading the case (whoever cannot read it gets 404):
- start, cancel, move to a newer version, assign: who may update the case;
- a step's own work (submit, complete, skip, reopen): its assignee, or who may update the case;
- approve or return an approval step: who holds `case:approve` reaching the case's
  organization, and never whoever submitted it.

Every operation bumps the run's version, so two people acting on one run at once are
ordered: the second is told the run changed meanwhile (409), and nothing of it is kept.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar, get_args

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction, selectinload

from dreamery.cases import service as cases
from dreamery.cases.schemas import CaseCreate, KeyDateSet
from dreamery.core import crud
from dreamery.core.access import authorize, needed_permission, reaches
from dreamery.core.context import SYSTEM_ACTOR, Caller, PermissionAction
from dreamery.core.entities import Crud, EntityId, EntitySpec, Tenancy
from dreamery.core.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from dreamery.core.schemas import VersionInput
from dreamery.core.types import utcnow
from dreamery.documents.service import DOCUMENT_INSTANCES
from dreamery.models import (
    Case,
    CaseParticipant,
    DocumentInstance,
    RunEvent,
    StepRun,
    Task,
    User,
    Workflow,
    WorkflowRun,
    WorkflowStep,
    WorkflowVersion,
)
from dreamery.models.enums import (
    AuditAction,
    CaseRole,
    CaseStatus,
    NotificationType,
    Priority,
    Resource,
    RunEventKind,
    RunStatus,
    StepKind,
    StepRunStatus,
    TaskStatus,
    ValidationRuleType,
)
from dreamery.notifications.service import NOTIFICATIONS
from dreamery.tasks import service as tasks
from dreamery.workflows.checklist import FINISHED, OPEN, Checklist, Step
from dreamery.workflows.deadlines import DueRule, HolidayCalendar, due_date
from dreamery.workflows.rules import failed_rules
from dreamery.workflows.schemas import (
    DueStep,
    ProgressRead,
    RuleView,
    RunCancel,
    RunEventFilters,
    RunEventRead,
    RunFilters,
    RunRead,
    RunSort,
    RunStart,
    RunSummaryRead,
    RunUpgrade,
    StepAssign,
    StepBegin,
    StepComplete,
    StepReopen,
    StepReview,
    StepRunFilters,
    StepRunRead,
    StepSkip,
    StepSubmit,
    StepView,
)
from dreamery.workflows.service import WORKFLOWS

S = StepRunStatus

RUNS: EntitySpec[WorkflowRun, RunSummaryRead] = EntitySpec(
    name="workflow_run",
    model=WorkflowRun,
    resource=Resource.CASE,
    read_schema=RunSummaryRead,
    filters=RunFilters,
    sorts=frozenset(get_args(RunSort)),
    default_sort="started_at",
    parent=(cases.CASES, "case_id"),
    tenancy=Tenancy(),
    offers=frozenset({Crud.LIST, Crud.GET}),
    path="workflow-runs",
    group="Cases",
    list_columns=("case_id", "workflow_id", "status", "owner_id", "started_at", "completed_at"),
)

STEP_RUNS: EntitySpec[StepRun, StepRunRead] = EntitySpec(
    name="step_run",
    model=StepRun,
    resource=Resource.CASE,
    read_schema=StepRunRead,
    filters=StepRunFilters,
    sorts=frozenset({"order", "due_on", "created_at"}),
    default_sort="order",
    descending=False,
    parent=(cases.CASES, "case_id"),
    tenancy=Tenancy(),
    offers=frozenset({Crud.LIST, Crud.GET}),
    path="step-runs",
    group="Cases",
    row_label=lambda step: f"{step.order}. {step.name}",
    list_columns=("run_id", "order", "name", "kind", "status", "assignee_id", "due_on"),
)

RUN_EVENTS: EntitySpec[RunEvent, RunEventRead] = EntitySpec(
    name="run_event",
    model=RunEvent,
    resource=Resource.CASE,
    read_schema=RunEventRead,
    filters=RunEventFilters,
    sorts=frozenset({"sequence"}),
    default_sort="sequence",
    descending=False,
    parent=(cases.CASES, "case_id"),
    tenancy=Tenancy(),
    offers=frozenset({Crud.LIST, Crud.GET}),
    path="run-events",
    group="Cases",
    list_columns=("run_id", "sequence", "kind", "step_key", "actor_id", "to_status", "at"),
)

# What a task step's task is while its step stands so (blocked or skipped: not to be done).
_TASK_STATUS = {
    S.BLOCKED: TaskStatus.CANCELLED,
    S.READY: TaskStatus.PENDING,
    S.RETURNED: TaskStatus.PENDING,
    S.IN_PROGRESS: TaskStatus.IN_PROGRESS,
    S.DONE: TaskStatus.COMPLETED,
    S.SKIPPED: TaskStatus.CANCELLED,
}
# The hour (UTC) a task is due on its step's due day: the end of a US working day.
DUE_HOUR = time(23, 0, tzinfo=UTC)


def today() -> date:
    """The date steps are judged against (overdue, "today" in a date rule, a due rule
    counted from dependencies done today)."""
    return utcnow().date()


# --- definitions, as runs see them -------------------------------------------------------


def _snapshot(workflow: Workflow) -> list[dict[str, Any]]:
    """The workflow's steps and rules as plain values, in order (what a version keeps). A
    dependency on a step since deleted is no dependency any more."""
    steps = sorted(workflow.steps, key=lambda step: step.order)
    existing = {str(step.id) for step in steps}
    return [
        {
            "key": str(step.id),
            "order": step.order,
            "name": step.name,
            "description": step.description,
            "kind": str(step.kind),
            "required": step.is_required,
            "minutes": step.estimated_duration,
            "depends_on": [str(key) for key in step.dependencies if str(key) in existing],
            "case_role": str(step.case_role) if step.case_role else None,
            "due_rule": step.due_rule,
            "template_id": str(step.template_id) if step.template_id else None,
            "key_date": step.key_date,
            "required_fields": list(step.required_fields),
            "rules": [
                {
                    "field": rule.field,
                    "rule_type": str(rule.rule_type),
                    "value": rule.value,
                    "message": rule.message,
                    "order": rule.order,
                }
                for rule in sorted(step.validation_rules, key=lambda rule: rule.order)
            ],
        }
        for step in steps
    ]


def _digest(steps: list[dict[str, Any]]) -> str:
    return hashlib.sha256(
        json.dumps(steps, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


async def _load_definition(session: AsyncSession, workflow_id: uuid.UUID) -> Workflow:
    workflow = await session.scalar(
        select(Workflow)
        .where(Workflow.id == workflow_id)
        .options(selectinload(Workflow.steps).selectinload(WorkflowStep.validation_rules))
        .execution_options(populate_existing=True)
    )
    assert workflow is not None
    return workflow


async def newest_version(session: AsyncSession, workflow_id: uuid.UUID) -> WorkflowVersion:
    """The version of the workflow as it stands: the last one made, unless the definition
    changed since, when a new one is made (numbered on)."""
    workflow = await _load_definition(session, workflow_id)
    steps = _snapshot(workflow)
    _check_definition(workflow, steps)
    digest = _digest(steps)
    last = await session.scalar(
        select(WorkflowVersion)
        .where(WorkflowVersion.workflow_id == workflow.id)
        .order_by(WorkflowVersion.number.desc())
        .limit(1)
    )
    if last is not None and last.digest == digest and last.name == workflow.name:
        return last
    version = WorkflowVersion(
        workflow_id=workflow.id,
        organization_id=workflow.organization_id,
        number=(last.number + 1) if last is not None else 1,
        digest=digest,
        name=workflow.name,
        steps=steps,
    )
    session.add(version)
    await crud.flush(session, WorkflowVersion)
    return version


def _check_definition(workflow: Workflow, steps: list[dict[str, Any]]) -> None:
    if not steps:
        raise ConflictError(f"workflow {workflow.name!r} has no steps to run")
    order = {step["key"]: step["order"] for step in steps}
    for step in steps:
        later = [f"step {order[d]}" for d in step["depends_on"] if order[d] >= step["order"]]
        if later:
            raise ConflictError(
                f"workflow {workflow.name!r} cannot run: step {step['order']} ({step['name']}) "
                f"depends on {', '.join(later)}, which does not come before it"
            )


def _checklist(steps: Sequence[Mapping[str, Any]]) -> Checklist:
    return Checklist(
        [
            Step(
                key=step["key"],
                kind=StepKind(step["kind"]),
                required=step["required"],
                depends_on=tuple(step["depends_on"]),
                minutes=step["minutes"],
            )
            for step in steps
        ]
    )


@dataclass(frozen=True)
class _Rule:
    field: str
    rule_type: ValidationRuleType
    value: Any
    message: str
    order: int


# --- a run, loaded ------------------------------------------------------------------------


@dataclass
class _Run:
    """A run with its case, its version's steps and its step runs, as one operation sees
    them."""

    run: WorkflowRun
    case: Case
    version: WorkflowVersion
    steps: dict[str, dict[str, Any]]  # the version's steps by key, in order
    step_runs: dict[str, StepRun]  # by key
    checklist: Checklist

    def statuses(self) -> dict[str, S]:
        return {key: S(self.step_runs[key].status) for key in self.steps}

    def step(self, ref: str) -> StepRun:
        """A step by its number in the run or its key."""
        if ref.isdigit():
            for key, spec in self.steps.items():
                if spec["order"] == int(ref):
                    return self.step_runs[key]
        elif ref in self.step_runs:
            return self.step_runs[ref]
        raise NotFoundError(f"the run has no step {ref!r}", resource="step_run", id=ref)


async def _load(
    session: AsyncSession, caller: Caller, run_id: EntityId, *, expected_version: int | None
) -> _Run:
    run: WorkflowRun = await crud.load(session, caller, RUNS, run_id)
    crud.check_version(RUNS, run, expected_version)
    case: Case = await crud.load(session, caller, cases.CASES, run.case_id)
    version = await session.get(WorkflowVersion, run.workflow_version_id)
    assert version is not None
    step_runs = {
        row.step_key: row
        for row in await session.scalars(
            select(StepRun)
            .where(StepRun.run_id == run.id)
            .execution_options(populate_existing=True)
        )
    }
    steps = {step["key"]: step for step in version.steps}
    loaded = _Run(run, case, version, steps, step_runs, _checklist(version.steps))
    session.info.setdefault(_LOADED, {})[run.id] = (caller, loaded)
    return loaded


# The runs loaded in a session, by id, with the caller that loaded them: reading a run right
# after an operation on it (the facade's answer) reuses what the operation loaded, for the
# same caller only. The rows are the session's own, so what the operation changed is there.
_LOADED = "dreamery.workflows.loaded_runs"
_LAST_EVENT = "dreamery.workflows.last_event"


@event.listens_for(Session, "after_transaction_end")
def _forget_loaded_runs(session: Session, transaction: SessionTransaction) -> None:
    """What a transaction or savepoint loaded or counted does not outlive it (a savepoint
    rolled back takes its events with it); a flush's inner transaction is neither."""
    if transaction.nested or transaction.parent is None:
        session.info.pop(_LOADED, None)
        session.info.pop(_LAST_EVENT, None)


def _loaded_by(session: AsyncSession, caller: Caller, run_id: EntityId) -> _Run | None:
    try:
        key = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(str(run_id))
    except ValueError:
        return None
    found = session.info.get(_LOADED, {}).get(key)
    return found[1] if found is not None and found[0] is caller else None


def _actor(caller: Caller) -> uuid.UUID | None:
    return caller.actor.user_id


def _system(caller: Caller) -> Caller:
    return Caller(SYSTEM_ACTOR, caller.request)


async def _manages(session: AsyncSession, caller: Caller, case: Case) -> None:
    await authorize(session, caller, cases.CASES, PermissionAction.UPDATE, case)


async def _may_work_on(
    session: AsyncSession, caller: Caller, loaded: _Run, step: StepRun, verb: str
) -> None:
    """A step's own work is its assignee's, or whoever manages the case."""
    if step.assignee_id is not None and step.assignee_id == _actor(caller):
        return
    if await reaches(session, caller, cases.CASES, PermissionAction.UPDATE, loaded.case):
        return
    permission = await needed_permission(
        session, caller, cases.CASES, PermissionAction.UPDATE, loaded.case
    )
    raise PermissionDeniedError(
        f"step {step.order} ({step.name}) is assigned to someone else: only its assignee, or "
        f"who holds '{permission}', may {verb} it",
        permission=permission,
        resource=STEP_RUNS.name,
        action=verb,
        resource_id=str(step.id),
    )


async def _active_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, version: int | None
) -> tuple[_Run, StepRun]:
    """The run, checked against the version the caller saw and still active, and its step
    `ref` (a number or a key)."""
    loaded = await _load(session, caller, run_id, expected_version=version)
    _active(loaded)
    return loaded, loaded.step(ref)


def _active(loaded: _Run) -> None:
    if loaded.run.status is RunStatus.CANCELLED:
        raise ConflictError("the run was cancelled: nothing in it moves any more")


# --- writing ------------------------------------------------------------------------------


async def _log(
    session: AsyncSession,
    caller: Caller,
    loaded: _Run,
    kind: RunEventKind,
    *,
    step: StepRun | None = None,
    before: S | None = None,
    after: S | None = None,
    note: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    # The newest sequence number of each run's events, read once per session: every load
    # of the run in it (an operation's, and a listener's within it) counts on from it.
    last = session.info.setdefault(_LAST_EVENT, {})
    if loaded.run.id not in last:
        last[loaded.run.id] = await session.scalar(
            select(func.coalesce(func.max(RunEvent.sequence), 0)).where(
                RunEvent.run_id == loaded.run.id
            )
        )
    last[loaded.run.id] = sequence = int(last[loaded.run.id] or 0) + 1
    session.add(
        RunEvent(
            run_id=loaded.run.id,
            case_id=loaded.run.case_id,
            organization_id=loaded.run.organization_id,
            sequence=sequence,
            kind=kind,
            step_key=step.step_key if step is not None else None,
            actor_id=_actor(caller),
            from_status=str(before) if before is not None else None,
            to_status=str(after) if after is not None else None,
            note=note,
            details=dict(details or {}),
            at=utcnow(),
        )
    )
    await crud.flush(session, RunEvent)


async def _write(
    session: AsyncSession,
    caller: Caller,
    spec: EntitySpec[Any, Any],
    obj: Any,
    values: Mapping[str, Any],
    action: str,
) -> None:
    """Set the fields the operation decided and audit those that changed: `crud.apply`
    without its reference checks, as every value here comes from rows the run loaded and
    checked (the version was checked on the run, not on each step)."""
    diff = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            diff[name] = [before, value]
            setattr(obj, name, value)
    if diff:
        await crud.flush_versioned(session, spec, obj.id)
        await crud.record_change(session, caller, spec, action, obj.id, diff)


async def _touch(session: AsyncSession, loaded: _Run) -> None:
    """Bump the run's version: concurrent operations on one run are ordered by it."""
    loaded.run.updated_at = utcnow()
    await crud.flush_versioned(session, RUNS, loaded.run.id)


async def _apply(
    session: AsyncSession,
    caller: Caller,
    loaded: _Run,
    statuses: Mapping[str, S],
    *,
    acted: StepRun | None = None,
    event: RunEventKind | None = None,
    fields: Mapping[str, Any] | None = None,
    note: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Write the statuses the checklist decided: the acted-on step with its `fields` and
    `event`, the others it moved (unblocked, blocked again) with their own; then due dates,
    tasks, and the run's own status."""
    before = loaded.statuses()
    for key, status in statuses.items():
        step = loaded.step_runs[key]
        if step is acted:
            await _write(
                session,
                caller,
                STEP_RUNS,
                step,
                {"status": status, **(fields or {})},
                AuditAction.CHANGE_STATUS,
            )
            assert event is not None
            await _log(
                session,
                caller,
                loaded,
                event,
                step=step,
                before=before[key],
                after=status,
                note=note,
                details=details,
            )
        elif status is not before[key]:
            await _write(
                session, caller, STEP_RUNS, step, {"status": status}, AuditAction.CHANGE_STATUS
            )
            moved = RunEventKind.UNBLOCKED if status in OPEN else RunEventKind.BLOCKED
            await _log(session, caller, loaded, moved, step=step, before=before[key], after=status)
    await _date_unblocked(session, caller, loaded, before)
    await _follow_tasks(session, caller, loaded)
    await _settle_run(session, caller, loaded)
    await _touch(session, loaded)


async def _settle_run(session: AsyncSession, caller: Caller, loaded: _Run) -> None:
    run = loaded.run
    if run.status is RunStatus.CANCELLED:
        return
    complete = loaded.checklist.complete_run(loaded.statuses())
    if complete and run.status is RunStatus.ACTIVE:
        await _write(
            session,
            caller,
            RUNS,
            run,
            {"status": RunStatus.COMPLETED, "completed_at": utcnow()},
            AuditAction.CHANGE_STATUS,
        )
        await _log(session, caller, loaded, RunEventKind.RUN_COMPLETED)
    elif not complete and run.status is RunStatus.COMPLETED:
        await _write(
            session,
            caller,
            RUNS,
            run,
            {"status": RunStatus.ACTIVE, "completed_at": None},
            AuditAction.CHANGE_STATUS,
        )


# --- due dates ----------------------------------------------------------------------------


def _calendar(case: Case) -> HolidayCalendar:
    """The business days where the property is: its country and state, when the holiday
    library knows them; the United States otherwise."""
    country = case.country or "US"
    for state in (case.region, None):
        try:
            return HolidayCalendar(country, state)
        except ValueError:
            continue
    return HolidayCalendar("US")


def _due(
    spec: Mapping[str, Any], case: Case, key_dates: Mapping[str, date], anchor: date | None
) -> date | None:
    """A step's due date: from its key date (when the case has it) or from `anchor`, the
    day its dependencies were done."""
    if not spec.get("due_rule"):
        return None
    rule = DueRule.model_validate(spec["due_rule"])
    start = key_dates.get(rule.key_date) if rule.key_date is not None else anchor
    return due_date(rule, start, _calendar(case)) if start is not None else None


async def _date_unblocked(
    session: AsyncSession, caller: Caller, loaded: _Run, before: Mapping[str, S]
) -> None:
    """Steps due so many days after their dependencies are dated the day those are done
    (today); a step waiting again loses that date."""
    for key, spec in loaded.steps.items():
        rule = spec.get("due_rule")
        if not rule or rule.get("key_date") is not None:
            continue
        step = loaded.step_runs[key]
        now = S(step.status)
        if before[key] is S.BLOCKED and now in OPEN:
            await _set_due(session, caller, loaded, step, _due(spec, loaded.case, {}, today()))
        elif now is S.BLOCKED and step.due_on is not None:
            await _set_due(session, caller, loaded, step, None)


async def _set_due(
    session: AsyncSession,
    caller: Caller,
    loaded: _Run,
    step: StepRun,
    due_on: date | None,
    *,
    tell: bool = False,
) -> None:
    if step.due_on == due_on:
        return
    was = step.due_on
    await _write(session, caller, STEP_RUNS, step, {"due_on": due_on}, AuditAction.UPDATE)
    await _log(
        session,
        caller,
        loaded,
        RunEventKind.DUE_MOVED,
        step=step,
        details={"from": str(was) if was else None, "to": str(due_on) if due_on else None},
    )
    if step.task_id is not None:
        task = await session.get(Task, step.task_id)
        if task is not None:
            await tasks.follow(session, _system(caller), task, due_date=_task_due(due_on))
    if tell and step.assignee_id is not None and S(step.status) not in FINISHED:
        when = due_on.isoformat() if due_on else "no date until it is set again"
        await crud.create(
            session,
            _system(caller),
            NOTIFICATIONS,
            {
                "user_id": step.assignee_id,
                "title": f"New due date: {step.name}"[:200],
                "message": f"{step.name!r} on {loaded.case.title!r} is now due {when}.",
                "type": NotificationType.WARNING,
                "category": "workflow",
                "case_id": loaded.case.id,
                "data": {
                    "run_id": str(loaded.run.id),
                    "step": step.order,
                    "due_on": due_on.isoformat() if due_on else None,
                },
            },
        )


def _task_due(due_on: date | None) -> datetime | None:
    return datetime.combine(due_on, DUE_HOUR) if due_on is not None else None


# --- tasks --------------------------------------------------------------------------------


async def _follow_tasks(session: AsyncSession, caller: Caller, loaded: _Run) -> None:
    """Each task step's task where its step is: made when the step is first open, then
    moved with it (cancelled while it waits again, or when the run is cancelled)."""
    cancelled = loaded.run.status is RunStatus.CANCELLED
    for key, spec in loaded.steps.items():
        if spec["kind"] != StepKind.TASK:
            continue
        step = loaded.step_runs[key]
        status = S(step.status)
        wanted = TaskStatus.CANCELLED if cancelled else _TASK_STATUS[status]
        if step.task_id is None:
            if cancelled or status not in OPEN or step.assignee_id is None:
                continue
            made = await _make_task(session, caller, loaded, step, spec)
            await _write(session, caller, STEP_RUNS, step, {"task_id": made.id}, AuditAction.UPDATE)
            continue
        task = await session.get(Task, step.task_id)
        if task is not None and task.deleted_at is None:
            await tasks.follow(session, _system(caller), task, status=wanted)


async def _make_task(
    session: AsyncSession, caller: Caller, loaded: _Run, step: StepRun, spec: Mapping[str, Any]
) -> Task:
    assert step.assignee_id is not None
    assignee = await session.get(User, step.assignee_id)
    assert assignee is not None
    task: Task = await crud.create(
        session,
        _system(caller),
        tasks.TASKS,
        {
            "title": f"{step.name} · {loaded.case.title}"[:200],
            "description": spec.get("description"),
            "role_id": assignee.role_id,
            "user_id": assignee.id,
            "priority": Priority.HIGH if spec["required"] else Priority.MEDIUM,
            "due_date": _task_due(step.due_on),
            "case_id": loaded.case.id,
            "tags": ["workflow", loaded.version.name[:50]],
        },
    )
    if S(step.status) is S.IN_PROGRESS:
        await tasks.follow(session, _system(caller), task, status=TaskStatus.IN_PROGRESS)
    return task


@tasks.TASK_STATUS_CHANGED
async def _step_follows_its_task(
    session: AsyncSession, caller: Caller, task: Task, before: TaskStatus
) -> None:
    """A task step's task completed (or started) by its assignee moves its step too."""
    step = await session.scalar(select(StepRun).where(StepRun.task_id == task.id))
    if step is None:
        return
    status = TaskStatus(task.status)
    loaded = await _load(session, _system(caller), step.run_id, expected_version=None)
    step = loaded.step_runs[step.step_key]
    await _may_work_on(session, caller, loaded, step, "complete")
    current = S(step.status)
    if status is TaskStatus.COMPLETED and current is not S.DONE:
        await _complete(session, caller, loaded, step, None)
    elif status is TaskStatus.IN_PROGRESS and current in {S.READY, S.RETURNED}:
        await _begin(session, caller, loaded, step)
    elif status is TaskStatus.IN_PROGRESS and current is S.DONE:
        await _reopen(session, caller, loaded, step, "its task was reopened")
    elif status is not _TASK_STATUS[current]:
        raise ConflictError(
            f"this task belongs to step {step.order} ({step.name}) of a workflow run, which is "
            f"{current.value}: change the step instead"
        )


# --- operations ---------------------------------------------------------------------------


async def start_run(
    session: AsyncSession, caller: Caller, case_id: EntityId, start: RunStart
) -> WorkflowRun:
    """Run a workflow on the case, on the definition as it stands now."""
    case: Case = await crud.load(session, caller, cases.CASES, case_id)
    await _manages(session, caller, case)
    workflow: Workflow = await crud.load(session, caller, WORKFLOWS, start.workflow_id)
    return await _start(session, caller, case, workflow, start.owner_id)


async def _start(
    session: AsyncSession,
    caller: Caller,
    case: Case,
    workflow: Workflow,
    owner_id: uuid.UUID | None,
) -> WorkflowRun:
    if case.status is not CaseStatus.OPEN:
        raise ConflictError(f"the case is {case.status}: open it again to run a workflow on it")
    if not workflow.is_active or workflow.deleted_at is not None:
        raise ConflictError(f"workflow {workflow.name!r} is not active")
    running = await session.scalar(
        select(func.count())
        .select_from(WorkflowRun)
        .where(
            WorkflowRun.case_id == case.id,
            WorkflowRun.workflow_id == workflow.id,
            WorkflowRun.status == RunStatus.ACTIVE,
        )
    )
    if running:
        raise ConflictError(f"workflow {workflow.name!r} is already running on this case")
    owner = owner_id or _actor(caller) or case.created_by
    if owner is None or not await cases.takes_part(session, case.id, owner):
        field = "owner_id" if owner_id else "(caller)"
        raise ValidationError(
            [FieldError(field, "the run's owner takes part in the case; add them first")]
        )
    version = await newest_version(session, workflow.id)
    run = WorkflowRun(
        case_id=case.id,
        organization_id=case.organization_id,
        workflow_id=workflow.id,
        workflow_version_id=version.id,
        owner_id=owner,
        status=RunStatus.ACTIVE,
        started_by=_actor(caller),
        started_at=utcnow(),
    )
    session.add(run)
    await crud.flush(session, WorkflowRun)
    await crud.record_change(
        session,
        caller,
        RUNS,
        AuditAction.CREATE,
        run.id,
        {
            "case_id": [None, str(case.id)],
            "workflow_id": [None, str(workflow.id)],
            "workflow_version": [None, version.number],
            "owner_id": [None, str(owner)],
        },
    )
    loaded = _Run(
        run, case, version, {s["key"]: s for s in version.steps}, {}, _checklist(version.steps)
    )
    await _make_step_runs(session, caller, loaded, list(loaded.steps))
    await _log(
        session,
        caller,
        loaded,
        RunEventKind.STARTED,
        details={"workflow": workflow.name, "version": version.number},
    )
    statuses = loaded.checklist.start()
    blocked = dict.fromkeys(loaded.steps, S.BLOCKED)
    for key, status in statuses.items():
        loaded.step_runs[key].status = status
    await crud.flush(session, StepRun)
    await _date_unblocked(session, caller, loaded, blocked)
    await _follow_tasks(session, caller, loaded)
    return run


async def _make_step_runs(
    session: AsyncSession, caller: Caller, loaded: _Run, keys: Sequence[str]
) -> None:
    holders = await cases.participants_by_role(session, loaded.case.id)
    key_dates = await cases.key_dates(session, loaded.case.id)
    for key in keys:
        spec = loaded.steps[key]
        role = spec.get("case_role")
        assignee = holders.get(CaseRole(role)) if role else None
        step = StepRun(
            run_id=loaded.run.id,
            case_id=loaded.case.id,
            organization_id=loaded.run.organization_id,
            step_key=key,
            order=spec["order"],
            name=spec["name"],
            kind=StepKind(spec["kind"]),
            status=S.BLOCKED,
            assignee_id=assignee or loaded.run.owner_id,
            due_on=_due(spec, loaded.case, key_dates, None),
        )
        session.add(step)
        loaded.step_runs[key] = step
    await crud.flush(session, StepRun)
    for key in keys:
        step = loaded.step_runs[key]
        await crud.record_change(
            session,
            caller,
            STEP_RUNS,
            AuditAction.CREATE,
            step.id,
            {"run_id": [None, str(loaded.run.id)], "step": [None, step.order]},
        )


async def begin_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, change: StepBegin
) -> WorkflowRun:
    """Say a ready step is under way."""
    loaded, step = await _active_step(session, caller, run_id, ref, change.version)
    await _may_work_on(session, caller, loaded, step, "start")
    await _begin(session, caller, loaded, step)
    return loaded.run


async def _begin(session: AsyncSession, caller: Caller, loaded: _Run, step: StepRun) -> None:
    statuses = loaded.checklist.begin(loaded.statuses(), step.step_key)
    await _apply(session, caller, loaded, statuses, acted=step, event=RunEventKind.BEGUN)


async def submit_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, submission: StepSubmit
) -> WorkflowRun:
    """A data step's fields (done when every rule passes), a document step's document
    (done), or an approval step's work, sent to its reviewer."""
    loaded, step = await _active_step(session, caller, run_id, ref, submission.version)
    await _may_work_on(session, caller, loaded, step, "submit")
    spec = loaded.steps[step.step_key]
    kind = StepKind(spec["kind"])
    now = utcnow()
    submitted: dict[str, Any] = {"submitted_by": _actor(caller), "submitted_at": now}
    details = None
    if kind is StepKind.DATA or kind is StepKind.DOCUMENT:
        if kind is StepKind.DATA:
            _judge(spec, submission.data)
            submitted["data"] = submission.data
        else:
            document = await _document(session, caller, loaded, spec, submission.document_id)
            submitted["document_id"] = document.id
            details = {"document_id": str(document.id)}
        # Its submission is its doing: done, by who submitted it.
        statuses = loaded.checklist.complete(loaded.statuses(), step.step_key)
        submitted |= {"completed_by": _actor(caller), "completed_at": now}
    elif kind is StepKind.APPROVAL:
        statuses = loaded.checklist.begin(loaded.statuses(), step.step_key)
        submitted |= {"data": submission.data or step.data, "review_note": None}
    else:
        raise ConflictError(
            f"step {step.order} ({step.name}) is a {kind} step: it takes no submission; complete it"
        )
    await _apply(
        session,
        caller,
        loaded,
        statuses,
        acted=step,
        event=RunEventKind.SUBMITTED,
        fields=submitted,
        note=submission.note,
        details=details,
    )
    return loaded.run


def _judge(spec: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Every rule of the step against `data`: all failures at once, by field."""
    rules = [
        _Rule(
            field=rule["field"],
            rule_type=ValidationRuleType(rule["rule_type"]),
            value=rule["value"],
            message=rule["message"],
            order=rule["order"],
        )
        for rule in spec["rules"]
    ]
    covered = {rule.field for rule in rules if rule.rule_type is ValidationRuleType.REQUIRED}
    rules += [
        _Rule(field, ValidationRuleType.REQUIRED, None, "is required", -1)
        for field in spec["required_fields"]
        if field not in covered
    ]
    failures = failed_rules(rules, data, today=today())
    if failures:
        raise ValidationError(
            [FieldError(f"data.{f.field}", f.message, str(f.rule_type)) for f in failures]
        )


async def _document(
    session: AsyncSession,
    caller: Caller,
    loaded: _Run,
    spec: Mapping[str, Any],
    document_id: uuid.UUID | None,
) -> DocumentInstance:
    template = spec.get("template_id")
    if document_id is None:
        raise ValidationError(
            [FieldError("document_id", "a document step is done with its document: name it")]
        )
    try:
        document: DocumentInstance = await crud.load(
            session, caller, DOCUMENT_INSTANCES, document_id
        )
    except NotFoundError:
        raise ValidationError(
            [FieldError("document_id", f"no document {document_id} that you may read")]
        ) from None
    problems = []
    if document.case_id != loaded.case.id:
        problems.append("is not filed on this case")
    if template is not None and str(document.template_id) != template:
        problems.append("is not made from the template this step asks for")
    if problems:
        raise ValidationError(
            [FieldError("document_id", f"document {document_id} " + " and ".join(problems))]
        )
    return document


async def complete_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, change: StepComplete
) -> WorkflowRun:
    """Check off a task or a milestone (recording its key date when given)."""
    loaded, step = await _active_step(session, caller, run_id, ref, change.version)
    await _may_work_on(session, caller, loaded, step, "complete")
    kind = StepKind(loaded.steps[step.step_key]["kind"])
    if kind in {StepKind.DATA, StepKind.DOCUMENT}:
        what = "its data" if kind is StepKind.DATA else "its document"
        raise ConflictError(
            f"step {step.order} ({step.name}) is a {kind} step: submit {what} to complete it"
        )
    if change.falls_on is not None and kind is not StepKind.MILESTONE:
        raise ValidationError([FieldError("falls_on", "only a milestone records a key date")])
    await _complete(session, caller, loaded, step, change.falls_on, note=change.note)
    return loaded.run


async def _complete(
    session: AsyncSession,
    caller: Caller,
    loaded: _Run,
    step: StepRun,
    falls_on: date | None,
    *,
    note: str | None = None,
) -> None:
    spec = loaded.steps[step.step_key]
    statuses = loaded.checklist.complete(loaded.statuses(), step.step_key)
    details: dict[str, Any] = {}
    if spec["kind"] == StepKind.MILESTONE:
        name = spec["key_date"]
        if falls_on is not None:
            await cases.set_key_date(
                session, _system(caller), loaded.case.id, name, KeyDateSet(falls_on=falls_on)
            )
        elif name not in await cases.key_dates(session, loaded.case.id):
            raise ValidationError(
                [FieldError("falls_on", f"the case has no key date {name!r} yet: give its day")]
            )
        details = {"key_date": name, "falls_on": str(falls_on) if falls_on else None}
    await _apply(
        session,
        caller,
        loaded,
        statuses,
        acted=step,
        event=RunEventKind.COMPLETED,
        fields={"completed_by": _actor(caller), "completed_at": utcnow()},
        note=note,
        details=details,
    )


async def skip_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, change: StepSkip
) -> WorkflowRun:
    """Pass over an optional step, with the reason."""
    loaded, step = await _active_step(session, caller, run_id, ref, change.version)
    await _may_work_on(session, caller, loaded, step, "skip")
    statuses = loaded.checklist.skip(loaded.statuses(), step.step_key)
    await _apply(
        session,
        caller,
        loaded,
        statuses,
        acted=step,
        event=RunEventKind.SKIPPED,
        fields={"skip_reason": change.reason},
        note=change.reason,
    )
    return loaded.run


async def reopen_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, change: StepReopen
) -> WorkflowRun:
    """A done or skipped step to be done again; the steps depending on it wait again."""
    loaded, step = await _active_step(session, caller, run_id, ref, change.version)
    await _may_work_on(session, caller, loaded, step, "reopen")
    await _reopen(session, caller, loaded, step, change.reason)
    return loaded.run


async def _reopen(
    session: AsyncSession, caller: Caller, loaded: _Run, step: StepRun, reason: str | None
) -> None:
    statuses = loaded.checklist.reopen(loaded.statuses(), step.step_key)
    await _apply(
        session,
        caller,
        loaded,
        statuses,
        acted=step,
        event=RunEventKind.REOPENED,
        fields={"completed_by": None, "completed_at": None, "skip_reason": None},
        note=reason,
    )


async def _reviewer(session: AsyncSession, caller: Caller, loaded: _Run, step: StepRun) -> None:
    await authorize(session, caller, cases.CASES, PermissionAction.APPROVE, loaded.case)
    if step.submitted_by is not None and step.submitted_by == _actor(caller):
        raise PermissionDeniedError(
            f"you submitted step {step.order} ({step.name}): someone else reviews it",
            resource=STEP_RUNS.name,
            action="approve",
            resource_id=str(step.id),
        )


async def approve_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, review: StepReview
) -> WorkflowRun:
    """The reviewer passes a submitted approval step."""
    loaded, step = await _active_step(session, caller, run_id, ref, review.version)
    await _reviewer(session, caller, loaded, step)
    statuses = loaded.checklist.approve(loaded.statuses(), step.step_key)
    await _apply(
        session,
        caller,
        loaded,
        statuses,
        acted=step,
        event=RunEventKind.APPROVED,
        fields={
            "completed_by": _actor(caller),
            "completed_at": utcnow(),
            "review_note": review.note,
        },
        note=review.note,
    )
    return loaded.run


async def return_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, review: StepReview
) -> WorkflowRun:
    """The reviewer sends a submitted approval step back, saying what to change."""
    loaded, step = await _active_step(session, caller, run_id, ref, review.version)
    await _reviewer(session, caller, loaded, step)
    if review.note is None:
        raise ValidationError([FieldError("note", "a return says what to change")])
    statuses = loaded.checklist.send_back(loaded.statuses(), step.step_key)
    await _apply(
        session,
        caller,
        loaded,
        statuses,
        acted=step,
        event=RunEventKind.RETURNED,
        fields={"review_note": review.note},
        note=review.note,
    )
    if step.submitted_by is not None:
        await crud.create(
            session,
            _system(caller),
            NOTIFICATIONS,
            {
                "user_id": step.submitted_by,
                "title": f"Returned: {step.name}"[:200],
                "message": f"{step.name!r} on {loaded.case.title!r} was returned: {review.note}"[
                    :2000
                ],
                "type": NotificationType.WARNING,
                "category": "workflow",
                "case_id": loaded.case.id,
                "data": {"run_id": str(loaded.run.id), "step": step.order},
            },
        )
    return loaded.run


async def assign_step(
    session: AsyncSession, caller: Caller, run_id: EntityId, ref: str, change: StepAssign
) -> WorkflowRun:
    """Give a step to someone taking part in the case (its task goes with it)."""
    loaded = await _load(session, caller, run_id, expected_version=change.version)
    _active(loaded)
    await _manages(session, caller, loaded.case)
    step = loaded.step(ref)
    if not await cases.takes_part(session, loaded.case.id, change.assignee_id):
        raise ValidationError(
            [FieldError("assignee_id", "a step goes to someone taking part in the case")]
        )
    if step.assignee_id == change.assignee_id:
        return loaded.run
    await _hand_over(session, caller, loaded, step, change.assignee_id)
    await _follow_tasks(session, caller, loaded)
    await _touch(session, loaded)
    return loaded.run


async def _hand_over(
    session: AsyncSession, caller: Caller, loaded: _Run, step: StepRun, to: uuid.UUID
) -> None:
    """The step, and its task, go to `to`."""
    was = step.assignee_id
    await _write(session, caller, STEP_RUNS, step, {"assignee_id": to}, AuditAction.UPDATE)
    await _log(
        session,
        caller,
        loaded,
        RunEventKind.ASSIGNED,
        step=step,
        details={"from": str(was) if was else None, "to": str(to)},
    )
    if step.task_id is not None:
        task = await session.get(Task, step.task_id)
        assignee = await session.get(User, to)
        if task is not None and assignee is not None:
            await tasks.follow(
                session, _system(caller), task, user_id=assignee.id, role_id=assignee.role_id
            )


async def _active_runs(session: AsyncSession, caller: Caller, case: Case) -> list[_Run]:
    """The case's active runs, loaded as the hub (a listener acts on the caller's behalf)."""
    ids = await session.scalars(
        select(WorkflowRun.id).where(
            WorkflowRun.case_id == case.id, WorkflowRun.status == RunStatus.ACTIVE
        )
    )
    return [
        await _load(session, _system(caller), run_id, expected_version=None) for run_id in list(ids)
    ]


@cases.PARTICIPANT_ADDED
async def _role_holder_takes_their_steps(
    session: AsyncSession, caller: Caller, case: Case, participant: CaseParticipant
) -> None:
    """Someone joining a case in a role takes over the open steps done in that role which
    had fallen back to the run's owner, in every active run of the case."""
    holders = await cases.holders_of(session, case.id, participant.case_role)
    for loaded in await _active_runs(session, caller, case):
        touched = False
        for key, spec in loaded.steps.items():
            step = loaded.step_runs[key]
            if spec.get("case_role") != participant.case_role or S(step.status) in FINISHED:
                continue
            # Only what fell back to the owner: a step given to someone stays theirs.
            owner = loaded.run.owner_id
            if step.assignee_id == owner and owner not in holders and owner != participant.user_id:
                await _hand_over(session, caller, loaded, step, participant.user_id)
                touched = True
        if touched:
            await _follow_tasks(session, caller, loaded)
            await _touch(session, loaded)


async def cancel_run(
    session: AsyncSession, caller: Caller, run_id: EntityId, change: RunCancel
) -> WorkflowRun:
    """Stop the run; its open tasks are cancelled."""
    loaded = await _load(session, caller, run_id, expected_version=change.version)
    await _manages(session, caller, loaded.case)
    _active(loaded)
    await _write(
        session,
        caller,
        RUNS,
        loaded.run,
        {
            "status": RunStatus.CANCELLED,
            "cancelled_at": utcnow(),
            "cancel_reason": change.reason,
        },
        AuditAction.CHANGE_STATUS,
    )
    await _log(session, caller, loaded, RunEventKind.CANCELLED, note=change.reason)
    await _follow_tasks(session, caller, loaded)
    await _touch(session, loaded)
    return loaded.run


async def upgrade_run(
    session: AsyncSession, caller: Caller, run_id: EntityId, change: RunUpgrade
) -> WorkflowRun:
    """Move the run to its workflow's newest version. What was done stays done; a step the
    new version added waits for its turn; an open step it dropped goes (with its task). A
    done step the new version no longer has would be lost: the move is refused, naming it."""
    loaded = await _load(session, caller, run_id, expected_version=change.version)
    _active(loaded)
    await _manages(session, caller, loaded.case)
    version = await newest_version(session, loaded.run.workflow_id)
    if version.id == loaded.version.id:
        return loaded.run
    new_steps = {step["key"]: step for step in version.steps}
    lost = [
        f"{step.order}. {step.name}"
        for key, step in loaded.step_runs.items()
        if S(step.status) in FINISHED and key not in new_steps
    ]
    if lost:
        raise ConflictError(
            f"version {version.number} no longer has the finished step(s) "
            f"{'; '.join(lost)}: the run stays on version {loaded.version.number}"
        )
    statuses = loaded.statuses()
    for key in [key for key in loaded.step_runs if key not in new_steps]:
        step = loaded.step_runs.pop(key)
        if step.task_id is not None:
            task = await session.get(Task, step.task_id)
            if task is not None:
                await tasks.follow(session, _system(caller), task, status=TaskStatus.CANCELLED)
        await session.delete(step)
        await crud.record_change(
            session, caller, STEP_RUNS, AuditAction.DELETE, step.id, {"step": [step.order, None]}
        )
    before_number = loaded.version.number
    loaded.version, loaded.steps = version, new_steps
    loaded.checklist = _checklist(version.steps)
    await _write(
        session,
        caller,
        RUNS,
        loaded.run,
        {"workflow_version_id": version.id},
        AuditAction.UPDATE,
    )
    added = [key for key in new_steps if key not in loaded.step_runs]
    await _make_step_runs(session, caller, loaded, added)
    for key, spec in new_steps.items():
        step = loaded.step_runs[key]
        values = {"order": spec["order"], "name": spec["name"], "kind": StepKind(spec["kind"])}
        await _write(session, caller, STEP_RUNS, step, values, AuditAction.UPDATE)
    await _log(
        session,
        caller,
        loaded,
        RunEventKind.UPGRADED,
        details={"from": before_number, "to": version.number, "added": len(added)},
    )
    current = {key: statuses.get(key, S.BLOCKED) for key in new_steps}
    await _apply(session, caller, loaded, loaded.checklist.settle(current))
    return loaded.run


@cases.KEY_DATE_MOVED
async def _due_dates_follow(
    session: AsyncSession, caller: Caller, case: Case, name: str, falls_on: date | None
) -> None:
    """A key date set, moved or removed moves the due date of every open step counted from
    it, in every active run of the case; the assignees are told."""
    key_dates = {**await cases.key_dates(session, case.id)}
    for loaded in await _active_runs(session, caller, case):
        touched = False
        for key, spec in loaded.steps.items():
            rule = spec.get("due_rule")
            step = loaded.step_runs[key]
            if not rule or rule.get("key_date") != name or S(step.status) in FINISHED:
                continue
            due = _due(spec, case, key_dates, None)
            if due != step.due_on:
                await _set_due(session, caller, loaded, step, due, tell=True)
                touched = True
        if touched:
            await _touch(session, loaded)


@cases.CASE_OPENED
async def _default_workflow(
    session: AsyncSession, caller: Caller, case: Case, opened: CaseCreate
) -> None:
    if opened.start_default_workflow and _actor(caller) is not None:
        await start_default_run(session, caller, case)


async def start_default_run(
    session: AsyncSession, caller: Caller, case: Case
) -> WorkflowRun | None:
    """Start the default workflow of the case's kind, if it has one: the organization's own
    default first, else the catalogue's (whoever may open the case may run it)."""
    candidates = (
        await session.scalars(
            select(Workflow).where(
                Workflow.is_active.is_(True),
                Workflow.deleted_at.is_(None),
                (Workflow.organization_id == case.organization_id)
                | Workflow.organization_id.is_(None),
            )
        )
    ).all()
    chosen = sorted(
        (w for w in candidates if str(case.kind) in (w.default_for or [])),
        key=lambda w: (w.organization_id is None, w.created_at),
    )
    if not chosen:
        return None
    return await _start(session, caller, case, chosen[0], None)


# --- reading ------------------------------------------------------------------------------


async def read_run(session: AsyncSession, caller: Caller, run_id: EntityId) -> RunRead:
    """The run with its checklist, due dates and progress."""
    loaded = _loaded_by(session, caller, run_id) or await _load(
        session, caller, run_id, expected_version=None
    )
    return await _view(session, loaded)


async def case_runs(session: AsyncSession, caller: Caller, case_id: EntityId) -> list[RunRead]:
    """Every run on the case, newest first."""
    case: Case = await crud.load(session, caller, cases.CASES, case_id)
    ids = await session.scalars(
        select(WorkflowRun.id)
        .where(WorkflowRun.case_id == case.id)
        .order_by(WorkflowRun.started_at.desc(), WorkflowRun.id.desc())
    )
    return [await read_run(session, caller, run_id) for run_id in list(ids)]


async def run_events(
    session: AsyncSession, caller: Caller, run_id: EntityId, *, after: int = 0, limit: int = 100
) -> list[RunEventRead]:
    """The run's log, in order, from the entry after `after`."""
    run: WorkflowRun = await crud.load(session, caller, RUNS, run_id)
    rows = await session.scalars(
        select(RunEvent)
        .where(RunEvent.run_id == run.id, RunEvent.sequence > after)
        .order_by(RunEvent.sequence)
        .limit(limit)
    )
    return [RunEventRead.model_validate(row) for row in rows]


async def _view(session: AsyncSession, loaded: _Run) -> RunRead:
    run, judged_on = loaded.run, today()
    statuses = loaded.statuses()
    due = {key: loaded.step_runs[key].due_on for key in loaded.steps}
    progress = loaded.checklist.progress(statuses, due, judged_on)
    number = {key: spec["order"] for key, spec in loaded.steps.items()}
    names = {key: spec["name"] for key, spec in loaded.steps.items()}
    newest = await session.scalar(
        select(func.max(WorkflowVersion.number)).where(
            WorkflowVersion.workflow_id == run.workflow_id
        )
    )
    overdue = set(progress.overdue)
    steps = []
    for key, spec in loaded.steps.items():
        step = loaded.step_runs[key]
        rule = spec.get("due_rule")
        steps.append(
            StepView(
                id=step.id,
                number=spec["order"],
                key=key,
                name=spec["name"],
                description=spec.get("description"),
                kind=StepKind(spec["kind"]),
                required=spec["required"],
                status=S(step.status),
                depends_on=[number[d] for d in spec["depends_on"]],
                case_role=CaseRole(spec["case_role"]) if spec.get("case_role") else None,
                assignee_id=step.assignee_id,
                due_on=step.due_on,
                due_rule=DueRule.model_validate(rule).describe() if rule else None,
                due=DueRule.model_validate(rule) if rule else None,
                key_date=spec.get("key_date"),
                template_id=spec.get("template_id"),
                rules=[RuleView.model_validate(r) for r in spec["rules"]],
                overdue=key in overdue,
                estimated_duration=spec["minutes"],
                required_fields=spec["required_fields"],
                data=step.data,
                document_id=step.document_id,
                submitted_by=step.submitted_by,
                submitted_at=step.submitted_at,
                completed_by=step.completed_by,
                completed_at=step.completed_at,
                skip_reason=step.skip_reason,
                review_note=step.review_note,
                task_id=step.task_id,
                version=step.version,
            )
        )
    return RunRead.model_validate(
        {
            **RunSummaryRead.model_validate(run).model_dump(),
            "workflow_name": loaded.version.name,
            "definition_version": loaded.version.number,
            "newest_version": newest == loaded.version.number,
            "progress": ProgressRead(
                finished=progress.finished,
                total=progress.total,
                percent=round(100 * progress.finished / progress.total) if progress.total else 100,
                required_left=progress.required_left,
                minutes_left=progress.minutes_left,
                next_due=(
                    DueStep(
                        number=number[progress.next_due[0]],
                        name=names[progress.next_due[0]],
                        due_on=progress.next_due[1],
                    )
                    if progress.next_due
                    else None
                ),
                overdue=[
                    DueStep(number=number[key], name=names[key], due_on=when)
                    for key in progress.overdue
                    if (when := due[key]) is not None
                ],
            ),
            "steps": steps,
        }
    )


# --- the same operations, by step run (the studio's buttons, `/step-runs/{id}/<verb>`) ------

StepInput = TypeVar("StepInput", bound=VersionInput)


def _by_step_run(
    operation: Callable[[AsyncSession, Caller, EntityId, str, StepInput], Awaitable[WorkflowRun]],
) -> Callable[[AsyncSession, Caller, EntityId, StepInput], Awaitable[StepRun]]:
    """`operation` on the step run `step_run_id`, based on the version of the step run
    (not of its run) that the caller saw."""

    async def on_step_run(
        session: AsyncSession, caller: Caller, step_run_id: EntityId, change: StepInput
    ) -> StepRun:
        step: StepRun = await crud.load(session, caller, STEP_RUNS, step_run_id)
        crud.check_version(STEP_RUNS, step, change.version)
        await operation(
            session, caller, step.run_id, step.step_key, change.model_copy(update={"version": None})
        )
        return step

    on_step_run.__doc__ = operation.__doc__
    on_step_run.__name__ = f"{operation.__name__}_run"
    return on_step_run


def _open(*kinds: StepKind) -> Callable[[StepRun], bool]:
    return lambda step: StepKind(step.kind) in kinds and S(step.status) in OPEN


def _finished(step: StepRun) -> bool:
    return S(step.status) in FINISHED


def _unfinished(step: StepRun) -> bool:
    return S(step.status) not in FINISHED


def _in_review(step: StepRun) -> bool:
    return step.kind == StepKind.APPROVAL and S(step.status) is S.IN_PROGRESS


begin_step_run = STEP_RUNS.action(
    "begin",
    input=StepBegin,
    label="Start",
    owns={"status"},
    applies=lambda step: S(step.status) is S.READY,
)(_by_step_run(begin_step))
submit_step_run = STEP_RUNS.action(
    "submit",
    input=StepSubmit,
    label="Submit",
    owns={"status"},
    applies=_open(StepKind.DATA, StepKind.DOCUMENT, StepKind.APPROVAL),
)(_by_step_run(submit_step))
complete_step_run = STEP_RUNS.action(
    "complete",
    input=StepComplete,
    label="Complete",
    owns={"status"},
    applies=_open(StepKind.TASK, StepKind.MILESTONE),
)(_by_step_run(complete_step))
skip_step_run = STEP_RUNS.action(
    "skip", input=StepSkip, label="Skip", owns={"status"}, applies=_unfinished
)(_by_step_run(skip_step))
reopen_step_run = STEP_RUNS.action(
    "reopen", input=StepReopen, label="Reopen", owns={"status"}, applies=_finished
)(_by_step_run(reopen_step))
approve_step_run = STEP_RUNS.action(
    "approve", input=StepReview, label="Approve", owns={"status"}, applies=_in_review
)(_by_step_run(approve_step))
return_step_run = STEP_RUNS.action(
    "return", input=StepReview, label="Return", owns={"status"}, applies=_in_review
)(_by_step_run(return_step))
assign_step_run = STEP_RUNS.action(
    "assign",
    input=StepAssign,
    label="Assign",
    owns={"assignee_id"},
    applies=_unfinished,
)(_by_step_run(assign_step))
