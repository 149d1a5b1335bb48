"""The facade's workflow runs: starting a workflow on a case, working its steps, and the
case's key dates their due dates count from. Every method answers with the run as it now
stands (`RunRead`: its checklist, due dates and progress)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, Unpack

from pydantic import BaseModel

from dreamery.cases import service as cases
from dreamery.cases.schemas import KeyDateFilters, KeyDateRead, KeyDateSet
from dreamery.core import crud
from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.workflows import runs
from dreamery.workflows.schemas import (
    RunCancel,
    RunEventFilters,
    RunEventRead,
    RunFilters,
    RunRead,
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
)

In = TypeVar("In", bound=BaseModel)
Step = int | str  # a step's number in its run, or its key


class RunsFacade(FacadeBase):
    async def start_run(
        self,
        case_id: EntityId,
        workflow_id: uuid.UUID | str,
        *,
        owner_id: uuid.UUID | str | None = None,
    ) -> RunRead:
        """Run a workflow on the case, on its definition as it stands now."""
        start = crud.parse(RunStart, {"workflow_id": workflow_id, "owner_id": owner_id})
        async with self.unit() as unit:
            run = await runs.start_run(unit.session, unit.caller, case_id, start)
            return await runs.read_run(unit.session, unit.caller, run.id)

    async def find_run_by_id(self, run_id: EntityId) -> RunRead:
        async with self.unit(write=False) as unit:
            return await runs.read_run(unit.session, unit.caller, run_id)

    async def find_case_runs(self, case_id: EntityId) -> list[RunRead]:
        async with self.unit(write=False) as unit:
            return await runs.case_runs(unit.session, unit.caller, case_id)

    async def find_run_log(
        self, run_id: EntityId, *, after: int = 0, limit: int = 100
    ) -> list[RunEventRead]:
        """The run's events in order, those after sequence number `after`."""
        async with self.unit(write=False) as unit:
            return await runs.run_events(
                unit.session, unit.caller, run_id, after=after, limit=limit
            )

    async def _on_run(
        self,
        operation: Callable[[Any, Any, EntityId, In], Awaitable[Any]],
        schema: type[In],
        run_id: EntityId,
        data: Mapping[str, object],
    ) -> RunRead:
        payload = crud.parse(schema, {k: v for k, v in data.items() if v is not None})
        async with self.unit() as unit:
            await operation(unit.session, unit.caller, run_id, payload)
            return await runs.read_run(unit.session, unit.caller, run_id)

    async def _on_step(
        self,
        operation: Callable[[Any, Any, EntityId, str, In], Awaitable[Any]],
        schema: type[In],
        run_id: EntityId,
        step: Step,
        data: Mapping[str, object],
    ) -> RunRead:
        payload = crud.parse(schema, {k: v for k, v in data.items() if v is not None})
        async with self.unit() as unit:
            await operation(unit.session, unit.caller, run_id, str(step), payload)
            return await runs.read_run(unit.session, unit.caller, run_id)

    async def cancel_run(
        self, run_id: EntityId, *, reason: str | None = None, expected_version: int | None = None
    ) -> RunRead:
        return await self._on_run(
            runs.cancel_run, RunCancel, run_id, {"reason": reason, "version": expected_version}
        )

    async def upgrade_run(
        self, run_id: EntityId, *, expected_version: int | None = None
    ) -> RunRead:
        """Move the run to its workflow's newest version (refused, naming them, when finished
        steps would be lost)."""
        return await self._on_run(
            runs.upgrade_run, RunUpgrade, run_id, {"version": expected_version}
        )

    async def begin_step(
        self, run_id: EntityId, step: Step, *, expected_version: int | None = None
    ) -> RunRead:
        return await self._on_step(
            runs.begin_step, StepBegin, run_id, step, {"version": expected_version}
        )

    async def submit_step(
        self,
        run_id: EntityId,
        step: Step,
        data: Mapping[str, object] | None = None,
        *,
        document_id: uuid.UUID | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> RunRead:
        """A data step's fields (every failed rule is reported at once, and nothing is kept),
        a document step's document, or an approval step's work for review."""
        return await self._on_step(
            runs.submit_step,
            StepSubmit,
            run_id,
            step,
            {
                "data": dict(data or {}),
                "document_id": document_id,
                "note": note,
                "version": expected_version,
            },
        )

    async def complete_step(
        self,
        run_id: EntityId,
        step: Step,
        *,
        falls_on: dt.date | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> RunRead:
        return await self._on_step(
            runs.complete_step,
            StepComplete,
            run_id,
            step,
            {"falls_on": falls_on, "note": note, "version": expected_version},
        )

    async def skip_step(
        self, run_id: EntityId, step: Step, reason: str, *, expected_version: int | None = None
    ) -> RunRead:
        return await self._on_step(
            runs.skip_step, StepSkip, run_id, step, {"reason": reason, "version": expected_version}
        )

    async def reopen_step(
        self,
        run_id: EntityId,
        step: Step,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> RunRead:
        return await self._on_step(
            runs.reopen_step,
            StepReopen,
            run_id,
            step,
            {"reason": reason, "version": expected_version},
        )

    async def approve_step(
        self,
        run_id: EntityId,
        step: Step,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> RunRead:
        return await self._on_step(
            runs.approve_step, StepReview, run_id, step, {"note": note, "version": expected_version}
        )

    async def return_step(
        self, run_id: EntityId, step: Step, note: str, *, expected_version: int | None = None
    ) -> RunRead:
        return await self._on_step(
            runs.return_step, StepReview, run_id, step, {"note": note, "version": expected_version}
        )

    async def assign_step(
        self,
        run_id: EntityId,
        step: Step,
        assignee_id: uuid.UUID | str,
        *,
        expected_version: int | None = None,
    ) -> RunRead:
        return await self._on_step(
            runs.assign_step,
            StepAssign,
            run_id,
            step,
            {"assignee_id": assignee_id, "version": expected_version},
        )

    async def set_key_date(
        self,
        case_id: EntityId,
        name: str,
        falls_on: dt.date | str,
        *,
        label: str | None = None,
        expected_version: int | None = None,
    ) -> KeyDateRead:
        """Set or move a key date of the case; the steps counted from it move too."""
        change = crud.parse(
            KeyDateSet,
            {
                k: v
                for k, v in {
                    "falls_on": falls_on,
                    "label": label,
                    "version": expected_version,
                }.items()
                if v is not None
            },
        )
        async with self.unit() as unit:
            key_date = await cases.set_key_date(unit.session, unit.caller, case_id, name, change)
            return KeyDateRead.model_validate(key_date)

    async def remove_key_date(
        self, case_id: EntityId, name: str, *, expected_version: int | None = None
    ) -> None:
        async with self.unit() as unit:
            await cases.remove_key_date(
                unit.session, unit.caller, case_id, name, expected_version=expected_version
            )

    async def find_key_dates(self, case_id: EntityId) -> list[KeyDateRead]:
        page = await self.find(cases.KEY_DATES, filters={"case_id": case_id}, limit=100)
        return list(page.items)

    # --- the rows themselves, as every entity offers them -------------------------------

    async def find_case_key_date_by_id(self, key_date_id: EntityId) -> KeyDateRead:
        return await self.get(cases.KEY_DATES, key_date_id)

    async def find_case_key_dates(
        self,
        *,
        sort: str | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[KeyDateFilters],
    ) -> Page[KeyDateRead]:
        return await self.find(
            cases.KEY_DATES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def find_workflow_run_by_id(self, run_id: EntityId) -> RunSummaryRead:
        """The run's own row (`find_run_by_id` adds its checklist and progress)."""
        return await self.get(runs.RUNS, run_id)

    async def find_workflow_runs(
        self,
        *,
        sort: str | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[RunFilters],
    ) -> Page[RunSummaryRead]:
        return await self.find(
            runs.RUNS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def find_step_run_by_id(self, step_run_id: EntityId) -> StepRunRead:
        return await self.get(runs.STEP_RUNS, step_run_id)

    async def find_step_runs(
        self,
        *,
        sort: str | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[StepRunFilters],
    ) -> Page[StepRunRead]:
        """Step runs across runs: a person's open steps (`assignee_id`, `status`), say."""
        return await self.find(
            runs.STEP_RUNS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def find_run_event_by_id(self, event_id: EntityId) -> RunEventRead:
        return await self.get(runs.RUN_EVENTS, event_id)

    async def find_run_events(
        self,
        *,
        sort: str | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[RunEventFilters],
    ) -> Page[RunEventRead]:
        return await self.find(
            runs.RUN_EVENTS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    # The step operations again, on a step run by its id and version (the studio's buttons).

    async def begin_step_run(
        self, step_run_id: EntityId, *, expected_version: int | None = None
    ) -> StepRunRead:
        return await self.perform(
            runs.STEP_RUNS, runs.begin_step_run, step_run_id, {"version": expected_version}
        )

    async def submit_step_run(
        self,
        step_run_id: EntityId,
        data: Mapping[str, object] | None = None,
        *,
        document_id: uuid.UUID | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> StepRunRead:
        body = {"data": dict(data or {}), "document_id": document_id, "note": note}
        return await self.perform(
            runs.STEP_RUNS,
            runs.submit_step_run,
            step_run_id,
            body | {"version": expected_version},
        )

    async def complete_step_run(
        self,
        step_run_id: EntityId,
        *,
        falls_on: dt.date | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> StepRunRead:
        return await self.perform(
            runs.STEP_RUNS,
            runs.complete_step_run,
            step_run_id,
            {"falls_on": falls_on, "note": note, "version": expected_version},
        )

    async def skip_step_run(
        self, step_run_id: EntityId, reason: str, *, expected_version: int | None = None
    ) -> StepRunRead:
        return await self.perform(
            runs.STEP_RUNS,
            runs.skip_step_run,
            step_run_id,
            {"reason": reason, "version": expected_version},
        )

    async def reopen_step_run(
        self,
        step_run_id: EntityId,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> StepRunRead:
        return await self.perform(
            runs.STEP_RUNS,
            runs.reopen_step_run,
            step_run_id,
            {"reason": reason, "version": expected_version},
        )

    async def approve_step_run(
        self,
        step_run_id: EntityId,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> StepRunRead:
        return await self.perform(
            runs.STEP_RUNS,
            runs.approve_step_run,
            step_run_id,
            {"note": note, "version": expected_version},
        )

    async def return_step_run(
        self, step_run_id: EntityId, note: str, *, expected_version: int | None = None
    ) -> StepRunRead:
        return await self.perform(
            runs.STEP_RUNS,
            runs.return_step_run,
            step_run_id,
            {"note": note, "version": expected_version},
        )

    async def assign_step_run(
        self,
        step_run_id: EntityId,
        assignee_id: uuid.UUID | str,
        *,
        expected_version: int | None = None,
    ) -> StepRunRead:
        return await self.perform(
            runs.STEP_RUNS,
            runs.assign_step_run,
            step_run_id,
            {"assignee_id": assignee_id, "version": expected_version},
        )
