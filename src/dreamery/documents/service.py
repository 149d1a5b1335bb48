"""Document specs: templates of a role with their variables, and users' filled instances."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.core import crud
from dreamery.core.crud import Caller, EntitySpec, Ownership
from dreamery.documents.schemas import (
    DocumentInstanceCreate,
    DocumentInstanceRead,
    DocumentInstanceUpdate,
    DocumentTemplateCreate,
    DocumentTemplateRead,
    DocumentTemplateUpdate,
    DocumentVariableCreate,
    DocumentVariableRead,
    DocumentVariableUpdate,
)
from dreamery.models import DocumentInstance, DocumentTemplate, DocumentVariable
from dreamery.models.enums import Resource

DOCUMENT_TEMPLATES: EntitySpec[DocumentTemplate, DocumentTemplateRead] = EntitySpec(
    name="document_template",
    model=DocumentTemplate,
    resource=Resource.DOCUMENT_TEMPLATE,
    create_schema=DocumentTemplateCreate,
    update_schema=DocumentTemplateUpdate,
    read_schema=DocumentTemplateRead,
    owner=Ownership("role_id", "role_id"),
    filters=frozenset({"role_id", "category", "is_active", "slug"}),
    sorts=frozenset({"created_at", "name"}),
)

DOCUMENT_VARIABLES: EntitySpec[DocumentVariable, DocumentVariableRead] = EntitySpec(
    name="document_variable",
    model=DocumentVariable,
    resource=Resource.DOCUMENT_TEMPLATE,
    create_schema=DocumentVariableCreate,
    update_schema=DocumentVariableUpdate,
    read_schema=DocumentVariableRead,
    parent=(DOCUMENT_TEMPLATES, "template_id"),
    filters=frozenset({"template_id", "var_type"}),
    sorts=frozenset({"order", "created_at"}),
    default_sort="order",
    descending=False,
)

DOCUMENT_INSTANCES: EntitySpec[DocumentInstance, DocumentInstanceRead] = EntitySpec(
    name="document_instance",
    model=DocumentInstance,
    resource=Resource.DOCUMENT_INSTANCE,
    create_schema=DocumentInstanceCreate,
    update_schema=DocumentInstanceUpdate,
    read_schema=DocumentInstanceRead,
    owner=Ownership("user_id"),
    filters=frozenset({"template_id", "user_id", "role_id", "status"}),
    sorts=frozenset({"created_at", "expires_at"}),
)


async def create_document_template(
    session: AsyncSession, caller: Caller, data: Any
) -> DocumentTemplate:
    """A template with its variables, in one transaction."""
    payload = crud.parse(DocumentTemplateCreate, data)
    assert isinstance(payload, DocumentTemplateCreate)
    template = await crud.create(session, caller, DOCUMENT_TEMPLATES, payload)
    for variable in payload.variables:
        await crud.create(
            session,
            caller,
            DOCUMENT_VARIABLES,
            {**variable.model_dump(), "template_id": template.id},
        )
    return template
