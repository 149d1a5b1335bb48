"""The facade's documents: templates, their variables, and instances with their review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from dreamery.documents import service as documents
from dreamery.documents.schemas import (
    DocumentInstanceCreate,
    DocumentInstanceFilters,
    DocumentInstanceRead,
    DocumentInstanceUpdate,
    DocumentTemplateCreate,
    DocumentTemplateFilters,
    DocumentTemplateRead,
    DocumentTemplateUpdate,
    DocumentVariableCreate,
    DocumentVariableFilters,
    DocumentVariableRead,
    DocumentVariableUpdate,
    InstanceSort,
    TemplateSort,
    VariableSort,
)
from dreamery.facade.base import FacadeBase

TEMPLATES = documents.DOCUMENT_TEMPLATES
VARIABLES = documents.DOCUMENT_VARIABLES
INSTANCES = documents.DOCUMENT_INSTANCES


class DocumentsFacade(FacadeBase):
    async def create_document_template(
        self, data: DocumentTemplateCreate | Mapping[str, object]
    ) -> DocumentTemplateRead:
        """A template with its variables, in one transaction."""
        return await self.create(TEMPLATES, data)

    async def find_document_template_by_id(
        self, template_id: EntityId, *, include_deleted: bool = False
    ) -> DocumentTemplateRead:
        return await self.get(TEMPLATES, template_id, include_deleted=include_deleted)

    async def find_document_templates(
        self,
        *,
        sort: TemplateSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[DocumentTemplateFilters],
    ) -> Page[DocumentTemplateRead]:
        return await self.find(
            TEMPLATES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def find_document_templates_by_role(self, role_id: str) -> list[DocumentTemplateRead]:
        return (await self.find_document_templates(role_id=role_id, limit=MAX_LIMIT)).items

    async def update_document_template(
        self,
        template_id: EntityId,
        data: DocumentTemplateUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> DocumentTemplateRead:
        return await self.update(TEMPLATES, template_id, data, expected_version=expected_version)

    async def copy_document_template(
        self, template_id: EntityId, *, name: str | None = None
    ) -> DocumentTemplateRead:
        """Copy a template (a starter one, say) with its variables into the acting user's
        organization, to adapt it there."""
        return await self.perform(
            TEMPLATES, documents.copy_document_template, template_id, {"name": name}
        )

    async def delete_document_template(
        self, template_id: EntityId, *, expected_version: int | None = None
    ) -> DocumentTemplateRead:
        return await self.delete(TEMPLATES, template_id, expected_version=expected_version)

    async def restore_document_template(self, template_id: EntityId) -> DocumentTemplateRead:
        return await self.restore(TEMPLATES, template_id)

    async def purge_document_template(self, template_id: EntityId) -> None:
        await self.purge(TEMPLATES, template_id)

    async def create_document_variable(
        self, data: DocumentVariableCreate | Mapping[str, object]
    ) -> DocumentVariableRead:
        return await self.create(VARIABLES, data)

    async def find_document_variable_by_id(self, variable_id: EntityId) -> DocumentVariableRead:
        return await self.get(VARIABLES, variable_id)

    async def find_document_variables(
        self,
        *,
        sort: VariableSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[DocumentVariableFilters],
    ) -> Page[DocumentVariableRead]:
        return await self.find(
            VARIABLES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_document_variable(
        self,
        variable_id: EntityId,
        data: DocumentVariableUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> DocumentVariableRead:
        return await self.update(VARIABLES, variable_id, data, expected_version=expected_version)

    async def delete_document_variable(
        self, variable_id: EntityId, *, expected_version: int | None = None
    ) -> DocumentVariableRead:
        return await self.delete(VARIABLES, variable_id, expected_version=expected_version)

    async def create_document_instance(
        self, data: DocumentInstanceCreate | Mapping[str, object]
    ) -> DocumentInstanceRead:
        """A draft document filled in from a template."""
        return await self.create(INSTANCES, data)

    async def find_document_instance_by_id(
        self, document_id: EntityId, *, include_deleted: bool = False
    ) -> DocumentInstanceRead:
        return await self.get(INSTANCES, document_id, include_deleted=include_deleted)

    async def find_document_instances(
        self,
        *,
        sort: InstanceSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[DocumentInstanceFilters],
    ) -> Page[DocumentInstanceRead]:
        return await self.find(
            INSTANCES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def update_document_instance(
        self,
        document_id: EntityId,
        data: DocumentInstanceUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> DocumentInstanceRead:
        """Change a draft (a document under review or signed does not change)."""
        return await self.update(INSTANCES, document_id, data, expected_version=expected_version)

    async def submit_document_instance(
        self, document_id: EntityId, *, expected_version: int | None = None
    ) -> DocumentInstanceRead:
        """Send a draft for review; its required variables must be filled in."""
        return await self.perform(
            INSTANCES,
            documents.submit_document_instance,
            document_id,
            {"version": expected_version},
        )

    async def approve_document_instance(
        self,
        document_id: EntityId,
        *,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> DocumentInstanceRead:
        """Approve (sign) a submitted document: reviewers, never on their own document."""
        return await self.perform(
            INSTANCES,
            documents.approve_document_instance,
            document_id,
            {"note": note, "version": expected_version},
        )

    async def return_document_instance(
        self, document_id: EntityId, *, note: str, expected_version: int | None = None
    ) -> DocumentInstanceRead:
        """Send a submitted document back to its owner as a draft, saying why (reviewers)."""
        return await self.perform(
            INSTANCES,
            documents.return_document_instance,
            document_id,
            {"note": note, "version": expected_version},
        )

    async def delete_document_instance(
        self, document_id: EntityId, *, expected_version: int | None = None
    ) -> DocumentInstanceRead:
        return await self.delete(INSTANCES, document_id, expected_version=expected_version)

    async def restore_document_instance(self, document_id: EntityId) -> DocumentInstanceRead:
        return await self.restore(INSTANCES, document_id)

    async def purge_document_instance(self, document_id: EntityId) -> None:
        await self.purge(INSTANCES, document_id)
