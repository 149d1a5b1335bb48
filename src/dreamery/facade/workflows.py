"""The facade's workflows: a role's workflows, their ordered steps and validation rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.workflows.schemas import (
    OrderedSort,
    ValidationRuleCreate,
    ValidationRuleFilters,
    ValidationRuleRead,
    ValidationRuleUpdate,
    WorkflowCreate,
    WorkflowFilters,
    WorkflowRead,
    WorkflowSort,
    WorkflowStepCreate,
    WorkflowStepFilters,
    WorkflowStepRead,
    WorkflowStepUpdate,
    WorkflowUpdate,
)
from dreamery.workflows.service import (
    VALIDATION_RULES,
    WORKFLOW_STEPS,
    WORKFLOWS,
    copy_workflow,
)


class WorkflowsFacade(FacadeBase):
    async def create_workflow(self, data: WorkflowCreate | Mapping[str, object]) -> WorkflowRead:
        """A workflow with its steps and their rules, in one transaction."""
        return await self.create(WORKFLOWS, data)

    async def find_workflow_by_id(
        self, workflow_id: EntityId, *, include_deleted: bool = False
    ) -> WorkflowRead:
        return await self.get(WORKFLOWS, workflow_id, include_deleted=include_deleted)

    async def find_workflows(
        self,
        *,
        sort: WorkflowSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[WorkflowFilters],
    ) -> Page[WorkflowRead]:
        return await self.find(
            WORKFLOWS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def find_workflows_by_role(self, role_id: str) -> list[WorkflowRead]:
        return (await self.find_workflows(role_id=role_id, limit=MAX_LIMIT)).items

    async def update_workflow(
        self,
        workflow_id: EntityId,
        data: WorkflowUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> WorkflowRead:
        return await self.update(WORKFLOWS, workflow_id, data, expected_version=expected_version)

    async def copy_workflow(
        self, workflow_id: EntityId, *, name: str | None = None
    ) -> WorkflowRead:
        """Copy a workflow (a starter one, say) with its steps and rules into the acting
        user's organization, to adapt it there."""
        return await self.perform(WORKFLOWS, copy_workflow, workflow_id, {"name": name})

    async def delete_workflow(
        self, workflow_id: EntityId, *, expected_version: int | None = None
    ) -> WorkflowRead:
        return await self.delete(WORKFLOWS, workflow_id, expected_version=expected_version)

    async def restore_workflow(self, workflow_id: EntityId) -> WorkflowRead:
        return await self.restore(WORKFLOWS, workflow_id)

    async def purge_workflow(self, workflow_id: EntityId) -> None:
        await self.purge(WORKFLOWS, workflow_id)

    async def create_workflow_step(
        self, data: WorkflowStepCreate | Mapping[str, object]
    ) -> WorkflowStepRead:
        return await self.create(WORKFLOW_STEPS, data)

    async def find_workflow_step_by_id(self, step_id: EntityId) -> WorkflowStepRead:
        return await self.get(WORKFLOW_STEPS, step_id)

    async def find_workflow_steps(
        self,
        *,
        sort: OrderedSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[WorkflowStepFilters],
    ) -> Page[WorkflowStepRead]:
        return await self.find(
            WORKFLOW_STEPS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_workflow_step(
        self,
        step_id: EntityId,
        data: WorkflowStepUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> WorkflowStepRead:
        return await self.update(WORKFLOW_STEPS, step_id, data, expected_version=expected_version)

    async def delete_workflow_step(
        self, step_id: EntityId, *, expected_version: int | None = None
    ) -> WorkflowStepRead:
        return await self.delete(WORKFLOW_STEPS, step_id, expected_version=expected_version)

    async def create_validation_rule(
        self, data: ValidationRuleCreate | Mapping[str, object]
    ) -> ValidationRuleRead:
        return await self.create(VALIDATION_RULES, data)

    async def find_validation_rule_by_id(self, rule_id: EntityId) -> ValidationRuleRead:
        return await self.get(VALIDATION_RULES, rule_id)

    async def find_validation_rules(
        self,
        *,
        sort: OrderedSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[ValidationRuleFilters],
    ) -> Page[ValidationRuleRead]:
        return await self.find(
            VALIDATION_RULES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_validation_rule(
        self,
        rule_id: EntityId,
        data: ValidationRuleUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> ValidationRuleRead:
        return await self.update(VALIDATION_RULES, rule_id, data, expected_version=expected_version)

    async def delete_validation_rule(
        self, rule_id: EntityId, *, expected_version: int | None = None
    ) -> ValidationRuleRead:
        return await self.delete(VALIDATION_RULES, rule_id, expected_version=expected_version)
