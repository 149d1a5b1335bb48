"""Document template, variable and instance schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator
from typing_extensions import TypedDict

from dreamery.core.ids import catalog_id
from dreamery.core.schemas import (
    AwareDatetime,
    Description,
    InputSchema,
    JsonObject,
    Name,
    Slug,
    UpdateSchema,
    VersionedRead,
    VersionInput,
    pattern_explained,
)
from dreamery.models.enums import DocumentStatus, TemplateCategory, VariableType

TemplateSort = Literal["created_at", "name"]
VariableSort = Literal["order", "created_at"]
InstanceSort = Literal["created_at", "expires_at"]
ReviewNote = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


# The starter template the documented example fills in (its id is the catalogue's).
EXAMPLE_TEMPLATE = "purchase-agreement-template"


class DocumentTemplateFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    role_id: str
    category: TemplateCategory
    is_active: bool
    slug: str


class DocumentVariableFilters(TypedDict, total=False):
    template_id: uuid.UUID
    var_type: VariableType


class DocumentInstanceFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    case_id: uuid.UUID
    template_id: uuid.UUID
    user_id: uuid.UUID
    role_id: str
    status: DocumentStatus


VariableName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", min_length=1, max_length=50),
    pattern_explained("a variable name: letters, digits and _, not starting with a digit"),
]
TemplateVersion = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)
]
Content = Annotated[str, StringConstraints(min_length=1, max_length=200_000)]

_NUMERIC = {VariableType.NUMBER, VariableType.CURRENCY, VariableType.PERCENT}
_TEXTUAL = {
    VariableType.STRING,
    VariableType.TEXT,
    VariableType.EMAIL,
    VariableType.PHONE,
    VariableType.ADDRESS,
}


def check_variable_default(var_type: VariableType, default: Any, options: list[str] | None) -> None:
    """Raise ValueError unless `default` and `options` fit the variable's type."""
    if var_type is VariableType.SELECT:
        if not options:
            raise ValueError("a 'select' variable needs options")
    elif options is not None:
        raise ValueError("only 'select' variables take options")
    if default is None:
        return
    if var_type in _NUMERIC:
        ok = isinstance(default, int | float) and not isinstance(default, bool)
    elif var_type is VariableType.BOOLEAN:
        ok = isinstance(default, bool)
    elif var_type is VariableType.DATE:
        ok = isinstance(default, str) and _is_iso_date(default)
    elif var_type is VariableType.SELECT:
        ok = default in (options or [])
    else:
        ok = isinstance(default, str) and var_type in _TEXTUAL
    if not ok:
        raise ValueError(f"default {default!r} does not fit type '{var_type}'")


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


class DocumentVariableFields(InputSchema):
    name: VariableName
    label: Name | None = None
    var_type: VariableType
    required: bool = False
    default_value: Any = None
    options: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None = None
    description: Description | None = None
    order: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _default_fits(self) -> DocumentVariableFields:
        check_variable_default(self.var_type, self.default_value, self.options)
        return self


class DocumentVariableCreate(DocumentVariableFields):
    template_id: uuid.UUID


class DocumentVariableUpdate(UpdateSchema):
    name: VariableName | None = None
    label: Name | None = None
    var_type: VariableType | None = None
    required: bool | None = None
    default_value: Any = None
    options: list[str] | None = None
    description: Description | None = None
    order: int | None = Field(default=None, ge=0)


class DocumentVariableRead(VersionedRead):
    template_id: uuid.UUID
    name: str
    label: str | None
    var_type: VariableType
    required: bool
    default_value: Any
    options: list[str] | None
    description: str | None
    order: int


class DocumentTemplateCreate(InputSchema):
    name: Name
    description: Description | None = None
    role_id: Slug
    category: TemplateCategory
    content: Content
    template_version: TemplateVersion = "1.0"
    is_active: bool = True
    slug: Slug | None = None
    variables: list[DocumentVariableFields] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _distinct_variables(self) -> DocumentTemplateCreate:
        names = [variable.name for variable in self.variables]
        if len(names) != len(set(names)):
            raise ValueError("variables: two variables share a name")
        return self


class DocumentTemplateUpdate(UpdateSchema):
    name: Name | None = None
    description: Description | None = None
    role_id: Slug | None = None
    category: TemplateCategory | None = None
    content: Content | None = None
    template_version: TemplateVersion | None = None
    is_active: bool | None = None


class DocumentTemplateRead(VersionedRead):
    organization_id: uuid.UUID | None
    slug: str | None
    name: str
    description: str | None
    role_id: str
    category: TemplateCategory
    content: str
    template_version: str
    is_active: bool
    deleted_at: datetime | None


class DocumentInstanceCreate(InputSchema):
    """A new document from a template; it starts as a draft, goes to review with
    `submit_document_instance` and is signed or returned by a reviewer.

    The example fills in the catalogue's purchase agreement, a starter template of the
    Acquisition Specialist role."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "template_id": str(catalog_id("document-template", EXAMPLE_TEMPLATE)),
                    "title": "Purchase agreement: 12 Harbor Street",
                    "data": {
                        "buyerName": "Catherine Miller",
                        "sellerName": "Daniel Ortiz",
                        "propertyAddress": "12 Harbor Street, Portland, ME 04101",
                        "purchasePrice": 425000,
                        "earnestMoney": 10000,
                        "financingType": "conventional",
                        "inspectionPeriodDays": 10,
                        "closingDate": "2027-02-26",
                    },
                }
            ]
        }
    )

    case_id: uuid.UUID | None = None

    template_id: uuid.UUID
    user_id: uuid.UUID | None = Field(
        default=None, description="whose document it is (its owner); default: you"
    )
    role_id: Slug | None = Field(
        default=None,
        description="the professional role it is filed under; default: the owner's role",
    )
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    data: JsonObject = Field(default_factory=dict)
    expires_at: AwareDatetime | None = None


class DocumentInstanceUpdate(UpdateSchema):
    """A draft's fields; a document under review or signed no longer changes."""

    case_id: uuid.UUID | None = None

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    data: JsonObject | None = None
    expires_at: AwareDatetime | None = None


class DocumentSubmission(VersionInput):
    """Send a draft for review (its required variables must be filled)."""


class DocumentApproval(VersionInput):
    """The reviewer signs the document off, with an optional note."""

    note: ReviewNote | None = None


class DocumentReturn(VersionInput):
    """The reviewer sends the document back to its owner as a draft, saying why."""

    note: ReviewNote


class DocumentInstanceRead(VersionedRead):
    organization_id: uuid.UUID
    case_id: uuid.UUID | None
    template_id: uuid.UUID
    user_id: uuid.UUID
    role_id: str
    title: str | None
    data: dict[str, Any]
    status: DocumentStatus
    signed_at: datetime | None
    expires_at: datetime | None
    submitted_at: datetime | None
    reviewed_by: uuid.UUID | None
    reviewed_at: datetime | None
    review_note: str | None
    deleted_at: datetime | None
