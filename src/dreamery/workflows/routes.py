"""Workflows over HTTP: the definitions (`/api/v1/workflows`, `/api/v1/workflow-steps`,
`/api/v1/validation-rules`) and their runs on cases:

    GET  /cases/{id}/runs                 the case's runs, with checklist and progress
    POST /cases/{id}/runs                 start one
    GET  /runs/{id}                       one run (ETag: its version)
    GET  /runs/{id}/events                its log, in order (`after`, `limit`)
    POST /runs/{id}/cancel | /upgrade     stop it; move it to the workflow's newest version
    POST /runs/{id}/steps/{step}/<verb>   begin, submit, complete, skip, reopen, approve,
                                          return, assign (`step`: its number or key)

Every run operation answers with the run as it now stands. `If-Match` or the body's
`version` (the run's) makes it refuse with 409 when the run changed meanwhile.
"""

# No `from __future__ import annotations`: the route functions' bodies are types made here.
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel

from dreamery.core.http import RESPONSES, SignedIn, mount_entity, parse_if_match, set_etag
from dreamery.core.http.entity_routes import IfMatch
from dreamery.workflows import runs
from dreamery.workflows.schemas import (
    RunCancel,
    RunEventRead,
    RunRead,
    RunStart,
    RunUpgrade,
    StepAssign,
    StepBegin,
    StepComplete,
    StepReopen,
    StepReview,
    StepSkip,
    StepSubmit,
)
from dreamery.workflows.service import VALIDATION_RULES, WORKFLOW_STEPS, WORKFLOWS

router = APIRouter()
for spec in (WORKFLOWS, WORKFLOW_STEPS, VALIDATION_RULES):
    mount_entity(router, spec)

TAG = runs.RUNS.group


def _versioned(data: Any, if_match: str | None) -> Any:
    version = parse_if_match(if_match)
    if version is not None and data.version is None:
        return data.model_copy(update={"version": version})
    return data


async def _answer(unit: Any, run_id: uuid.UUID, response: Response) -> RunRead:
    run = await runs.read_run(unit.session, unit.caller, run_id)
    set_etag(response, run)
    return run


@router.get(
    "/cases/{case_id}/runs",
    response_model=list[RunRead],
    tags=[TAG],
    summary="The workflows run on the case, newest first",
    responses=RESPONSES(401, 404),
)
async def case_runs(case_id: uuid.UUID, unit: SignedIn) -> list[RunRead]:
    return await runs.case_runs(unit.session, unit.caller, case_id)


@router.post(
    "/cases/{case_id}/runs",
    response_model=RunRead,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Run a workflow on the case",
    responses=RESPONSES(401, 403, 404, 409, 422),
)
async def start_run(
    case_id: uuid.UUID, start: RunStart, response: Response, unit: SignedIn
) -> RunRead:
    """Start the workflow on the case, on its definition as it stands now (the run keeps
    that version). Who manages the case may; the owner (the caller by default) takes part
    in it."""
    run = await runs.start_run(unit.session, unit.caller, case_id, start)
    return await _answer(unit, run.id, response)


@router.get(
    "/runs/{run_id}",
    response_model=RunRead,
    tags=[TAG],
    summary="A run, with its checklist, due dates and progress",
    responses=RESPONSES(401, 404),
)
async def read_run(run_id: uuid.UUID, response: Response, unit: SignedIn) -> RunRead:
    return await _answer(unit, run_id, response)


@router.get(
    "/runs/{run_id}/events",
    response_model=list[RunEventRead],
    tags=[TAG],
    summary="The run's log: who did what, when, from which status to which",
    responses=RESPONSES(401, 404, 422),
)
async def run_events(
    run_id: uuid.UUID,
    unit: SignedIn,
    after: Annotated[int, Query(ge=0, description="the last sequence number already read")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RunEventRead]:
    return await runs.run_events(unit.session, unit.caller, run_id, after=after, limit=limit)


RunOperation = Callable[[Any, Any, uuid.UUID, Any], Awaitable[Any]]
StepOperation = Callable[[Any, Any, uuid.UUID, str, Any], Awaitable[Any]]


def _run_route(verb: str, operation: RunOperation, schema: type[BaseModel], summary: str) -> None:
    async def perform(
        run_id: uuid.UUID,
        response: Response,
        unit: SignedIn,
        data: Annotated[schema | None, Body()] = None,  # type: ignore[valid-type]
        if_match: IfMatch = None,
    ) -> RunRead:
        change = _versioned(data or schema(), if_match)
        await operation(unit.session, unit.caller, run_id, change)
        return await _answer(unit, run_id, response)

    perform.__doc__ = operation.__doc__
    router.add_api_route(
        f"/runs/{{run_id}}/{verb}",
        perform,
        methods=["POST"],
        response_model=RunRead,
        tags=[TAG],
        summary=summary,
        responses=RESPONSES(401, 403, 404, 409, 422),
        operation_id=f"{verb}_run",
    )


def _step_route(
    verb: str,
    operation: StepOperation,
    schema: type[BaseModel],
    summary: str,
    *,
    body_required: bool = False,
) -> None:
    if body_required:

        async def perform(
            run_id: uuid.UUID,
            step: str,
            data: Annotated[schema, Body()],  # type: ignore[valid-type]
            response: Response,
            unit: SignedIn,
            if_match: IfMatch = None,
        ) -> RunRead:
            await operation(unit.session, unit.caller, run_id, step, _versioned(data, if_match))
            return await _answer(unit, run_id, response)

    else:

        async def perform(  # type: ignore[misc]
            run_id: uuid.UUID,
            step: str,
            response: Response,
            unit: SignedIn,
            data: Annotated[schema | None, Body()] = None,  # type: ignore[valid-type]
            if_match: IfMatch = None,
        ) -> RunRead:
            change = _versioned(data or schema(), if_match)
            await operation(unit.session, unit.caller, run_id, step, change)
            return await _answer(unit, run_id, response)

    perform.__doc__ = operation.__doc__
    router.add_api_route(
        f"/runs/{{run_id}}/steps/{{step}}/{verb}",
        perform,
        methods=["POST"],
        response_model=RunRead,
        tags=[TAG],
        summary=summary,
        responses=RESPONSES(401, 403, 404, 409, 422),
        operation_id=f"{verb}_step",
    )


_run_route("cancel", runs.cancel_run, RunCancel, "Cancel the run")
_run_route("upgrade", runs.upgrade_run, RunUpgrade, "Move the run to its workflow's newest version")
_step_route("begin", runs.begin_step, StepBegin, "Start a ready step")
_step_route("submit", runs.submit_step, StepSubmit, "Submit a step's data, document or work")
_step_route("complete", runs.complete_step, StepComplete, "Check off a task or a milestone")
_step_route("skip", runs.skip_step, StepSkip, "Skip an optional step", body_required=True)
_step_route("reopen", runs.reopen_step, StepReopen, "Reopen a finished step")
_step_route("approve", runs.approve_step, StepReview, "Pass a submitted approval step")
_step_route("return", runs.return_step, StepReview, "Return a submitted approval step")
_step_route("assign", runs.assign_step, StepAssign, "Give a step to someone", body_required=True)
mount_entity(router, runs.RUNS)
mount_entity(router, runs.STEP_RUNS)
mount_entity(router, runs.RUN_EVENTS)
