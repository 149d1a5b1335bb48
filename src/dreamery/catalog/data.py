"""Load and check the catalogue files: roles.toml, permissions.toml and starter/*.toml.

Everything is validated when loaded, so a mistake in a catalogue file is reported with the file
and field that hold it, before anything is written to the database.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from dreamery.cases.schemas import STANDARD_KEY_DATES, KeyDateName
from dreamery.compliance.schemas import ComplianceCheck
from dreamery.core.schemas import SLUG_PATTERN, Slug
from dreamery.documents.schemas import check_variable_default
from dreamery.models.enums import (
    CaseKind,
    CaseRole,
    ComplianceCategory,
    Frequency,
    MetricCategory,
    OrgRole,
    PermissionAction,
    PermissionScope,
    Resource,
    StepKind,
    TemplateCategory,
    ValidationRuleType,
    VariableType,
    WidgetType,
)
from dreamery.workflows.deadlines import DueRule
from dreamery.workflows.schemas import check_rule_value

CATALOG_DIR = Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

M = TypeVar("M", bound=BaseModel)

Text100 = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Text500 = Annotated[str, StringConstraints(max_length=500)]


class CatalogError(ValueError):
    """A catalogue file that does not say what it must."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- roles.toml -----------------------------------------------------------------------------


class RoleSpec(_Strict):
    id: Slug
    name: Text100
    source: Literal["doc", "added"]
    description: str | None = None


class CategorySpec(_Strict):
    id: Slug
    name: Text100
    description: Text500 | None = None
    roles: list[RoleSpec] = Field(min_length=1)


class RolesFile(_Strict):
    categories: list[CategorySpec]

    @model_validator(mode="after")
    def _unique_ids(self) -> RolesFile:
        _require_unique("category id", [c.id for c in self.categories])
        _require_unique("role id", [r.id for c in self.categories for r in c.roles])
        return self


# --- permissions.toml -----------------------------------------------------------------------

PermissionName = Annotated[str, StringConstraints(pattern=r"^[a-z_]+:[a-z]+:(own|case|org|any)$")]


class PermissionsFile(_Strict):
    own: dict[Resource, str]
    case: dict[Resource, str] = Field(default_factory=dict)
    org: dict[Resource, str] = Field(default_factory=dict)
    resources: dict[Resource, list[PermissionAction]]
    everyone: dict[Literal["grants"], list[PermissionName]]
    categories: dict[Slug, list[PermissionName]] = Field(default_factory=dict)
    roles: dict[Slug, list[PermissionName]] = Field(default_factory=dict)
    org_roles: dict[OrgRole, list[PermissionName]] = Field(default_factory=dict)

    def scopes_of(self, resource: Resource) -> list[PermissionScope]:
        """The scopes a resource's permissions come in: those this file defines for it."""
        defined = {
            PermissionScope.OWN: self.own,
            PermissionScope.CASE: self.case,
            PermissionScope.ORG: self.org,
        }
        return [scope for scope, meaning in defined.items() if resource in meaning] + [
            PermissionScope.ANY
        ]

    def all_permissions(self) -> list[tuple[Resource, PermissionAction, PermissionScope]]:
        """Every permission that exists: each resource's actions, at each scope it has."""
        result = []
        for resource, actions in self.resources.items():
            scopes = self.scopes_of(resource)
            for action in actions:
                for scope in scopes:
                    result.append((resource, action, scope))
        return result


# --- starter/<category>.toml ----------------------------------------------------------------


class RuleSpec(_Strict):
    field: Text100
    type: ValidationRuleType
    value: Any = None
    message: Annotated[str, StringConstraints(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _value_fits(self) -> RuleSpec:
        check_rule_value(self.type, self.value)
        return self


class StepSpec(_Strict):
    """One step: what doing it means (`kind`), who on the case does it (`case_role`, else
    the run's owner), whether the run can finish without it, and when it is due."""

    name: Text100
    description: Text500 | None = None
    kind: StepKind
    required: bool = True
    case_role: CaseRole | None = None
    estimated_duration: int | None = Field(default=None, ge=0)
    required_fields: list[Text100] = Field(default_factory=list)
    depends_on: list[int] = Field(default_factory=list)
    due: DueRule | None = None
    template: Slug | None = None  # a document step: the template its document is made from
    key_date: KeyDateName | None = None  # a milestone: the key date it records
    rules: list[RuleSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits_kind(self) -> StepSpec:
        if (self.kind is StepKind.DOCUMENT) != (self.template is not None):
            raise ValueError("a document step names its template, and only a document step")
        if (self.kind is StepKind.MILESTONE) != (self.key_date is not None):
            raise ValueError("a milestone names the key date it records, and only a milestone")
        if self.kind is StepKind.DATA and not (self.required_fields or self.rules):
            raise ValueError("a data step asks for fields: give required_fields or rules")
        if self.kind is not StepKind.DATA and self.rules:
            raise ValueError(f"a {self.kind} step takes no data, so no rules")
        for name in (self.key_date, self.due.key_date if self.due else None):
            if name is not None and name not in STANDARD_KEY_DATES:
                raise ValueError(
                    f"key date {name!r} is not a standard one ({', '.join(STANDARD_KEY_DATES)})"
                )
        return self


class WorkflowSpec(_Strict):
    slug: Slug
    name: Text100
    description: Text500 | None = None
    role: Slug
    # The case kinds this is the default workflow of: a case of the kind starts it.
    default_for: list[CaseKind] = Field(default_factory=list)
    steps: list[StepSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _dependencies_point_back(self) -> WorkflowSpec:
        for number, step in enumerate(self.steps, start=1):
            for dependency in step.depends_on:
                if not 1 <= dependency < number:
                    raise ValueError(
                        f"step {number} ({step.name}) depends on step {dependency}, "
                        "which is not an earlier step"
                    )
        return self


class VariableSpec(_Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=50)]
    label: Text100 | None = None
    type: VariableType
    required: bool = False
    description: Text500 | None = None
    default: Any = None
    options: list[Text100] | None = None

    @model_validator(mode="after")
    def _default_fits(self) -> VariableSpec:
        check_variable_default(self.type, self.default, self.options)
        return self


class TemplateSpec(_Strict):
    slug: Slug
    name: Text100
    description: Text500 | None = None
    role: Slug
    category: TemplateCategory
    template_version: Annotated[str, StringConstraints(min_length=1, max_length=20)] = "1.0"
    content: Annotated[str, StringConstraints(min_length=1)]
    variables: list[VariableSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _placeholders_match_variables(self) -> TemplateSpec:
        names = [variable.name for variable in self.variables]
        _require_unique("variable name", names)
        used = set(PLACEHOLDER.findall(self.content))
        if missing := used - set(names):
            raise ValueError(f"content uses undeclared variables: {sorted(missing)}")
        if unused := set(names) - used:
            raise ValueError(f"variables never used in content: {sorted(unused)}")
        return self


class RequirementSpec(_Strict):
    slug: Slug
    name: Text100
    description: Text500 | None = None
    role: Slug
    category: ComplianceCategory
    frequency: Frequency
    checks: list[ComplianceCheck] = Field(min_length=1)


class WidgetSpec(_Strict):
    type: WidgetType
    title: Text100
    metric: Text100
    x: int = Field(ge=0, le=11)
    y: int = Field(ge=0)
    width: int = Field(ge=1, le=12)
    height: int = Field(ge=1, le=12)
    settings: dict[str, Any] = Field(default_factory=dict)


class DashboardSpec(_Strict):
    name: Text100
    description: Text500 | None = None
    widgets: list[WidgetSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> DashboardSpec:
        taken: dict[tuple[int, int], str] = {}
        for widget in self.widgets:
            if widget.x + widget.width > 12:
                raise ValueError(f"widget {widget.title!r} runs past the 12-column grid")
            for column in range(widget.x, widget.x + widget.width):
                for row in range(widget.y, widget.y + widget.height):
                    if (column, row) in taken:
                        raise ValueError(
                            f"widgets {taken[column, row]!r} and {widget.title!r} overlap"
                        )
                    taken[column, row] = widget.title
        return self


class MetricSpec(_Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=100)]
    unit: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    category: MetricCategory
    min: float
    max: float
    description: Annotated[str, StringConstraints(max_length=300)] | None = None

    @model_validator(mode="after")
    def _range(self) -> MetricSpec:
        if self.min >= self.max:
            raise ValueError(f"metric {self.name}: min must be below max")
        return self


class StarterFile(_Strict):
    workflows: list[WorkflowSpec] = Field(min_length=1)
    document_templates: list[TemplateSpec] = Field(min_length=1)
    compliance_requirements: list[RequirementSpec] = Field(min_length=1)
    dashboard: DashboardSpec
    metrics: list[MetricSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _widgets_show_known_metrics(self) -> StarterFile:
        _require_unique("metric name", [m.name for m in self.metrics])
        known = {metric.name for metric in self.metrics}
        for widget in self.dashboard.widgets:
            if widget.metric not in known:
                raise ValueError(f"widget {widget.title!r} shows unknown metric {widget.metric!r}")
        return self


# --- the whole catalogue --------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    categories: list[CategorySpec]
    permissions: PermissionsFile
    starter: dict[str, StarterFile]  # by category id

    @property
    def roles(self) -> list[tuple[CategorySpec, RoleSpec]]:
        return [(category, role) for category in self.categories for role in category.roles]

    def role_ids(self) -> list[str]:
        return [role.id for _, role in self.roles]

    def everyones(self) -> frozenset[str]:
        """What every professional holds, whatever role they claim."""
        return frozenset(self.permissions.everyone["grants"])

    def org_role_grants(self, org_role: str) -> frozenset[str]:
        """What a standing in one's organization adds (see [org_roles])."""
        return frozenset(self.permissions.org_roles.get(OrgRole(org_role), []))

    def grants_for(self, category_id: str, role_id: str) -> list[str]:
        """The permission names a role holds: everyone's, its category's and its own."""
        grants = [
            *self.permissions.everyone["grants"],
            *self.permissions.categories.get(category_id, []),
            *self.permissions.roles.get(role_id, []),
        ]
        return list(dict.fromkeys(grants))


def _require_unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{path}: not valid TOML: {error}") from None


def _parse(model: type[M], path: Path) -> M:
    try:
        return model.model_validate(_read(path))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(file)"
        raise CatalogError(f"{path.name}: {where}: {first['msg']}") from None


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    roles = _parse(RolesFile, directory / "roles.toml")
    permissions = _parse(PermissionsFile, directory / "permissions.toml")
    starter = {
        category.id: _parse(StarterFile, directory / "starter" / f"{category.id}.toml")
        for category in roles.categories
    }
    catalog = Catalog(roles.categories, permissions, starter)
    _check_references(catalog)
    return catalog


def _check_references(catalog: Catalog) -> None:
    categories = {category.id: category for category in catalog.categories}
    role_ids = set(catalog.role_ids())
    existing = {
        f"{resource}:{action}:{scope}"
        for resource, action, scope in catalog.permissions.all_permissions()
    }
    grant_lists = {
        "everyone": catalog.permissions.everyone["grants"],
        **{f"categories.{k}": v for k, v in catalog.permissions.categories.items()},
        **{f"roles.{k}": v for k, v in catalog.permissions.roles.items()},
        **{f"org_roles.{k}": v for k, v in catalog.permissions.org_roles.items()},
    }
    for where, grants in grant_lists.items():
        for grant in grants:
            if grant not in existing:
                raise CatalogError(f"permissions.toml: {where}: no such permission {grant!r}")
    for category_id in catalog.permissions.categories:
        if category_id not in categories:
            raise CatalogError(f"permissions.toml: categories: unknown category {category_id!r}")
    for role_id in catalog.permissions.roles:
        if role_id not in role_ids:
            raise CatalogError(f"permissions.toml: roles: unknown role {role_id!r}")

    templates = {t.slug for starter in catalog.starter.values() for t in starter.document_templates}
    defaults: dict[str, str] = {}
    for category_id, starter in catalog.starter.items():
        for workflow in starter.workflows:
            for number, step in enumerate(workflow.steps, start=1):
                if step.template is not None and step.template not in templates:
                    raise CatalogError(
                        f"starter/{category_id}.toml: workflow {workflow.slug!r} step {number}: "
                        f"no document template {step.template!r}"
                    )
            for case_kind in workflow.default_for:
                if case_kind in defaults:
                    raise CatalogError(
                        f"starter/{category_id}.toml: workflow {workflow.slug!r}: case kind "
                        f"{case_kind!r} already starts {defaults[case_kind]!r}"
                    )
                defaults[case_kind] = workflow.slug

    slugs: set[str] = set()
    for category_id, starter in catalog.starter.items():
        own_roles = {role.id for role in categories[category_id].roles}
        items = [
            *(("workflow", w.slug, w.role) for w in starter.workflows),
            *(("document template", t.slug, t.role) for t in starter.document_templates),
            *(("compliance requirement", r.slug, r.role) for r in starter.compliance_requirements),
        ]
        for kind, slug, role in items:
            if role not in own_roles:
                raise CatalogError(
                    f"starter/{category_id}.toml: {kind} {slug!r}: role {role!r} "
                    f"is not in category {category_id!r}"
                )
            if slug in slugs:
                raise CatalogError(f"starter/{category_id}.toml: slug {slug!r} is used twice")
            slugs.add(slug)


@cache
def default_catalog() -> Catalog:
    return load_catalog()


__all__ = ["SLUG_PATTERN", "Catalog", "CatalogError", "default_catalog", "load_catalog"]
