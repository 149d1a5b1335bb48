"""Documents: templates of a role with their variables, and the instances filled in from them.

An instance is a draft while its owner fills it in. `submit_document_instance` sends it for
review once its required variables are filled; a reviewer (`document_instance:approve`) then
approves it, which signs it, or returns it to its owner as a draft with a note. Nobody reviews
their own document, and a document under review or signed no longer changes.
"""

from __future__ import annotations

from typing import Any, get_args

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from dreamery.core import crud
from dreamery.core.access import authorize, refuse_own
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.entities import EntityId, EntitySpec, Input, Ownership, Tenancy
from dreamery.core.errors import ConflictError, FieldError, ValidationError
from dreamery.core.schemas import PlaybookCopy
from dreamery.core.types import utcnow
from dreamery.documents.schemas import (
    DocumentApproval,
    DocumentInstanceCreate,
    DocumentInstanceFilters,
    DocumentInstanceRead,
    DocumentInstanceUpdate,
    DocumentReturn,
    DocumentSubmission,
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
from dreamery.models import DocumentInstance, DocumentTemplate, DocumentVariable
from dreamery.models.enums import AuditAction, DocumentStatus, Resource
from dreamery.users import service as users

DOCUMENT_TEMPLATES: EntitySpec[DocumentTemplate, DocumentTemplateRead] = EntitySpec(
    name="document_template",
    model=DocumentTemplate,
    resource=Resource.DOCUMENT_TEMPLATE,
    create_schema=DocumentTemplateCreate,
    update_schema=DocumentTemplateUpdate,
    read_schema=DocumentTemplateRead,
    filters=DocumentTemplateFilters,
    sorts=frozenset(get_args(TemplateSort)),
    owner=Ownership("role_id", "role_id", per_organization=True),
    tenancy=Tenancy(shared=True),
    group="Documents",
    row_label=lambda template: template.name,
    list_columns=(
        "name",
        "slug",
        "role_id",
        "category",
        "template_version",
        "is_active",
    ),
)

DOCUMENT_VARIABLES: EntitySpec[DocumentVariable, DocumentVariableRead] = EntitySpec(
    name="document_variable",
    model=DocumentVariable,
    resource=Resource.DOCUMENT_TEMPLATE,
    create_schema=DocumentVariableCreate,
    update_schema=DocumentVariableUpdate,
    read_schema=DocumentVariableRead,
    filters=DocumentVariableFilters,
    sorts=frozenset(get_args(VariableSort)),
    default_sort="order",
    descending=False,
    parent=(DOCUMENT_TEMPLATES, "template_id"),
    group="Documents",
    row_label=lambda variable: variable.label or variable.name,
    list_columns=(
        "template_id",
        "order",
        "name",
        "label",
        "var_type",
        "required",
    ),
)

DOCUMENT_INSTANCES: EntitySpec[DocumentInstance, DocumentInstanceRead] = EntitySpec(
    name="document_instance",
    model=DocumentInstance,
    resource=Resource.DOCUMENT_INSTANCE,
    create_schema=DocumentInstanceCreate,
    update_schema=DocumentInstanceUpdate,
    read_schema=DocumentInstanceRead,
    filters=DocumentInstanceFilters,
    sorts=frozenset(get_args(InstanceSort)),
    owner=Ownership("user_id"),
    tenancy=Tenancy(from_user="user_id"),
    case_column="case_id",
    group="Documents",
    row_label=lambda instance: instance.title,
    list_columns=(
        "title",
        "template_id",
        "user_id",
        "status",
        "signed_at",
        "expires_at",
    ),
)

REVIEW_FIELDS = {"status", "reviewed_by", "reviewed_at", "review_note"}


@DOCUMENT_TEMPLATES.creates
async def create_document_template(
    session: AsyncSession, caller: Caller, data: Input
) -> DocumentTemplate:
    """A template with its variables, in one transaction."""
    payload = crud.parse(DocumentTemplateCreate, data)
    template: DocumentTemplate = await crud.create(session, caller, DOCUMENT_TEMPLATES, payload)
    for variable in payload.variables:
        await crud.create(
            session,
            caller,
            DOCUMENT_VARIABLES,
            {**variable.model_dump(), "template_id": template.id},
        )
    return template


@DOCUMENT_TEMPLATES.action("copy", input=PlaybookCopy, label="Copy to my organization", owns=set())
async def copy_document_template(
    session: AsyncSession, caller: Caller, template_id: EntityId, copy: PlaybookCopy
) -> DocumentTemplate:
    """Copy a template and its variables into the acting user's organization, to adapt it
    there (the copy is the organization's; the original stays as it is)."""
    source: DocumentTemplate = await crud.load(
        session,
        caller,
        DOCUMENT_TEMPLATES,
        template_id,
        options=[selectinload(DocumentTemplate.variables)],
    )
    return await create_document_template(
        session,
        caller,
        {
            "name": copy.name or source.name,
            "description": source.description,
            "role_id": source.role_id,
            "category": source.category,
            "content": source.content,
            "template_version": source.template_version,
            "is_active": source.is_active,
            "variables": [
                {
                    "name": variable.name,
                    "label": variable.label,
                    "var_type": variable.var_type,
                    "required": variable.required,
                    "default_value": variable.default_value,
                    "options": variable.options,
                    "description": variable.description,
                    "order": variable.order,
                }
                for variable in sorted(source.variables, key=lambda v: v.order)
            ],
        },
    )


@DOCUMENT_INSTANCES.creates
async def create_document_instance(
    session: AsyncSession, caller: Caller, data: Input
) -> DocumentInstance:
    """A draft of the caller's, unless it names its owner; filed under the owner's role
    unless it names one."""
    payload = crud.parse(DocumentInstanceCreate, data)
    decided = await users.for_the_caller(session, caller, dict(payload))
    document: DocumentInstance = await crud.create(
        session, caller, DOCUMENT_INSTANCES, payload.model_copy(update=decided)
    )
    return document


@DOCUMENT_INSTANCES.updates
async def update_document_instance(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    data: Input,
    *,
    expected_version: int | None = None,
) -> DocumentInstance:
    """Change a draft; a document under review or signed is refused (409)."""
    document: DocumentInstance = await crud.load(session, caller, DOCUMENT_INSTANCES, entity_id)
    if document.status != DocumentStatus.DRAFT:
        raise ConflictError(
            f"a {document.status} document cannot be changed; only a draft can "
            "(a reviewer returns a submitted document to its owner as a draft)"
        )
    changed: DocumentInstance = await crud.update(
        session, caller, DOCUMENT_INSTANCES, entity_id, data, expected_version=expected_version
    )
    return changed


async def _missing_variables(session: AsyncSession, document: DocumentInstance) -> list[str]:
    variables = await session.scalars(
        select(DocumentVariable)
        .where(DocumentVariable.template_id == document.template_id, DocumentVariable.required)
        .order_by(DocumentVariable.order, DocumentVariable.name)
    )
    return [
        variable.name
        for variable in variables
        if variable.default_value is None and _blank(document.data.get(variable.name))
    ]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _in_status(document: DocumentInstance, wanted: DocumentStatus, verb: str) -> None:
    if document.status != wanted:
        raise ConflictError(f"a {document.status} document cannot be {verb}; it must be {wanted}")


@DOCUMENT_INSTANCES.action(
    "submit",
    input=DocumentSubmission,
    label="Submit for review",
    owns={"status", "submitted_at"},
    applies=lambda document: document.status == DocumentStatus.DRAFT,
)
async def submit_document_instance(
    session: AsyncSession, caller: Caller, document_id: EntityId, submission: DocumentSubmission
) -> DocumentInstance:
    """Send a draft for review; every required variable must be filled in first."""
    document: DocumentInstance = await crud.load(session, caller, DOCUMENT_INSTANCES, document_id)
    await authorize(session, caller, DOCUMENT_INSTANCES, PermissionAction.UPDATE, document)
    _in_status(document, DocumentStatus.DRAFT, "submitted")
    missing = await _missing_variables(session, document)
    if missing:
        raise ValidationError(
            [
                FieldError(f"data.{name}", "is required before the document is submitted")
                for name in missing
            ]
        )
    submitted: DocumentInstance = await crud.apply(
        session,
        caller,
        DOCUMENT_INSTANCES,
        document,
        {"status": DocumentStatus.PENDING, "submitted_at": utcnow()},
        action=AuditAction.SUBMIT,
        expected_version=submission.version,
    )
    return submitted


async def _under_review(
    session: AsyncSession, caller: Caller, document_id: EntityId, verb: str, done: str
) -> DocumentInstance:
    """The pending document a reviewer may `verb` (it is then `done`)."""
    document: DocumentInstance = await crud.load(session, caller, DOCUMENT_INSTANCES, document_id)
    await authorize(session, caller, DOCUMENT_INSTANCES, PermissionAction.APPROVE, document)
    refuse_own(caller, DOCUMENT_INSTANCES, document, verb)
    _in_status(document, DocumentStatus.PENDING, done)
    return document


@DOCUMENT_INSTANCES.action(
    "approve",
    input=DocumentApproval,
    label="Approve and sign",
    owns=REVIEW_FIELDS | {"signed_at"},
    applies=lambda document: document.status == DocumentStatus.PENDING,
)
async def approve_document_instance(
    session: AsyncSession, caller: Caller, document_id: EntityId, approval: DocumentApproval
) -> DocumentInstance:
    """Approve a submitted document, which signs it (reviewers; not one's own)."""
    document = await _under_review(session, caller, document_id, "approve", "approved")
    now = utcnow()
    approved: DocumentInstance = await crud.apply(
        session,
        caller,
        DOCUMENT_INSTANCES,
        document,
        {
            "status": DocumentStatus.SIGNED,
            "signed_at": now,
            "reviewed_by": caller.actor.user_id,
            "reviewed_at": now,
            "review_note": approval.note,
        },
        action=AuditAction.APPROVE,
        expected_version=approval.version,
    )
    return approved


@DOCUMENT_INSTANCES.action(
    "return",
    input=DocumentReturn,
    label="Return to owner",
    owns=REVIEW_FIELDS,
    applies=lambda document: document.status == DocumentStatus.PENDING,
)
async def return_document_instance(
    session: AsyncSession, caller: Caller, document_id: EntityId, review: DocumentReturn
) -> DocumentInstance:
    """Send a submitted document back to its owner as a draft, with a note (reviewers)."""
    document = await _under_review(session, caller, document_id, "return", "returned")
    returned: DocumentInstance = await crud.apply(
        session,
        caller,
        DOCUMENT_INSTANCES,
        document,
        {
            "status": DocumentStatus.DRAFT,
            "reviewed_by": caller.actor.user_id,
            "reviewed_at": utcnow(),
            "review_note": review.note,
        },
        action=AuditAction.RETURN,
        expected_version=review.version,
    )
    return returned
