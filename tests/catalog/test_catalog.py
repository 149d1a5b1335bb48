"""The catalogue: exactly the 18 categories and 89 roles of roles.md, and their content."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from dreamery.catalog.data import default_catalog
from dreamery.models import (
    AnalyticsDashboard,
    ComplianceRequirement,
    DocumentTemplate,
    Permission,
    ProfessionalCategory,
    RolePermission,
    UserRole,
    Workflow,
    WorkflowStep,
)

pytestmark = pytest.mark.usefixtures("backend")

# Copied from roles.md (the public interface), in its order; the catalogue must match it.
EXPECTED: dict[str, list[str]] = {
    "acquisition-disposition": [
        "acquisition-specialist",
        "disposition-agent",
        "real-estate-agent",
        "real-estate-broker",
        "buyer",
        "retail-buyer",
        "ibuyer",
        "property-flipper",
    ],
    "title-escrow": [
        "title-agent",
        "escrow-officer",
        "notary-public",
        "transaction-coordinator",
    ],
    "appraisal-inspection": [
        "residential-appraiser",
        "commercial-appraiser",
        "commercial-inspector",
        "energy-inspector",
        "land-surveyor",
        "home-inspector",
    ],
    "lending-financing": [
        "insurance-agent",
        "title-insurance-agent",
        "mortgage-broker",
        "mortgage-lender",
        "loan-officer",
        "mortgage-underwriter",
        "hard-money-lender",
        "private-lender",
        "limited-partner",
        "seller-finance-purchase-specialist",
        "subject-to-existing-mortgage-purchase-specialist",
        "trust-acquisition-specialist",
        "hybrid-purchase-specialist",
        "lease-option-specialist",
    ],
    "construction-renovation": [
        "general-contractor",
        "electrical-contractor",
        "plumbing-contractor",
        "hvac-contractor",
        "roofing-contractor",
        "painting-contractor",
        "landscaping-contractor",
        "flooring-contractor",
        "kitchen-contractor",
        "bathroom-contractor",
    ],
    "design-interior": [
        "interior-designer",
        "architect",
        "landscape-architect",
        "kitchen-designer",
        "bathroom-designer",
        "lighting-designer",
        "furniture-designer",
        "color-consultant",
        "home-stager",
    ],
    "property-management": [
        "property-manager",
        "long-term-rental-manager",
        "short-term-rental-manager",
    ],
    "maintenance-services": [
        "permit-expeditor",
        "str-setup-manager",
        "housekeeper",
        "landscape-cleaner",
        "turnover-specialist",
        "handyman",
        "landscaper",
        "arborist",
    ],
    "tenant-services": [
        "tenant-screening-agent",
        "leasing-agent",
    ],
    "financial-services": [
        "bookkeeper",
        "cpa",
        "accountant",
    ],
    "media-content": [
        "photographer",
        "videographer",
        "virtual-tour-specialist",
    ],
    "technology-development": [
        "ar-vr-developer",
        "digital-twins-developer",
    ],
    "legal-services": [
        "real-estate-attorney",
        "estate-planning-attorney",
    ],
    "exchange-formation": [
        "1031-exchange-intermediary",
        "entity-formation-service-provider",
        "escrow-service-provider",
    ],
    "consulting-education": [
        "real-estate-consultant",
        "real-estate-educator",
        "energy-consultant",
        "real-estate-trainer",
        "real-estate-coach",
    ],
    "notary-services": [
        "legal-notary-service-provider",
    ],
    "financial-advisory": [
        "financial-advisor",
        "tax-advisor",
        "banking-advisor",
    ],
    "relocation-investment": [
        "relocation-specialist",
        "real-estate-investment-advisor",
        "investor",
    ],
}


def test_the_catalogue_file_holds_exactly_the_published_ids() -> None:
    catalog = default_catalog()
    assert [c.id for c in catalog.categories] == list(EXPECTED)
    for category in catalog.categories:
        assert [r.id for r in category.roles] == EXPECTED[category.id], category.id
    assert len(catalog.categories) == 18
    assert len(catalog.role_ids()) == 89


async def test_the_database_holds_18_categories_and_89_roles(session: AsyncSession) -> None:
    categories = (await session.scalars(select(ProfessionalCategory.id))).all()
    assert sorted(categories) == sorted(EXPECTED)
    rows = (await session.execute(select(UserRole.id, UserRole.category_id))).all()
    assert len(rows) == 89
    assert dict(rows) == {role: category for category, roles in EXPECTED.items() for role in roles}


async def test_the_original_acquisition_workflow(session: AsyncSession) -> None:
    workflow = await session.scalar(
        select(Workflow)
        .where(Workflow.slug == "acquisition-workflow")
        .options(selectinload(Workflow.steps).selectinload(WorkflowStep.validation_rules))
    )
    assert workflow is not None
    assert workflow.name == "Property Acquisition Workflow"
    assert workflow.role_id == "acquisition-specialist"
    first, second = workflow.steps[:2]
    assert (first.order, first.name, first.estimated_duration) == (1, "Property Identification", 60)
    assert first.required_fields == ["propertyAddress", "propertyType"]
    assert (second.order, second.name, second.estimated_duration) == (2, "Due Diligence", 120)
    assert second.required_fields == ["inspectionReport", "titleSearch"]
    assert second.dependencies == [str(first.id)]
    # Its data steps are judged by rules; the review and the contract are not data.
    assert all(step.validation_rules for step in workflow.steps if step.kind == "data")
    assert {step.name: step.kind for step in workflow.steps if step.kind != "data"} == {
        "Investment Approval": "approval",
        "Purchase Agreement": "document",
    }


async def test_the_original_purchase_agreement_template(session: AsyncSession) -> None:
    template = await session.scalar(
        select(DocumentTemplate)
        .where(DocumentTemplate.slug == "purchase-agreement-template")
        .options(selectinload(DocumentTemplate.variables))
    )
    assert template is not None
    assert template.category == "contract"
    assert template.template_version == "1.0"
    names = {variable.name for variable in template.variables}
    assert {"buyerName", "sellerName", "propertyAddress", "purchasePrice"} <= names
    for name in names:
        assert "{{" + name + "}}" in template.content.replace(" ", "")


async def test_the_original_license_requirement(session: AsyncSession) -> None:
    requirement = await session.scalar(
        select(ComplianceRequirement).where(ComplianceRequirement.slug == "license-requirement")
    )
    assert requirement is not None
    assert (requirement.category, requirement.frequency) == ("licensing", "annually")
    check = next(c for c in requirement.requirements if c["name"] == "License Verification")
    assert check["type"] == "manual"
    assert {"application/pdf", "image/jpeg", "image/png"} <= set(check["evidence_types"])


async def test_every_category_has_starter_content(session: AsyncSession) -> None:
    for model in (Workflow, DocumentTemplate, ComplianceRequirement):
        covered = await session.scalars(
            select(UserRole.category_id).join(model, model.role_id == UserRole.id).distinct()
        )
        assert sorted(covered) == sorted(EXPECTED), model.__tablename__


async def test_every_role_has_a_default_dashboard_with_widgets(session: AsyncSession) -> None:
    dashboards = (
        await session.scalars(
            select(AnalyticsDashboard)
            .where(AnalyticsDashboard.is_default.is_(True))
            .options(selectinload(AnalyticsDashboard.widgets))
        )
    ).all()
    assert sorted(d.role_id for d in dashboards) == sorted(
        role for roles in EXPECTED.values() for role in roles
    )
    assert all(len(d.widgets) >= 4 for d in dashboards)


async def test_the_permission_matrix_is_seeded_for_every_role(session: AsyncSession) -> None:
    catalog = default_catalog()
    assert await session.scalar(select(func.count()).select_from(Permission)) == len(
        catalog.permissions.all_permissions()
    )
    held = await session.execute(select(RolePermission.role_id, Permission.name).join(Permission))
    by_role: dict[str, set[str]] = {}
    for role_id, name in held:
        by_role.setdefault(role_id, set()).add(name)
    for category, role in catalog.roles:
        assert by_role[role.id] == set(catalog.grants_for(category.id, role.id)), role.id
    # Spot checks a reader can verify against permissions.toml.
    assert "document_instance:approve:case" in by_role["mortgage-underwriter"]
    assert "document_instance:approve:case" not in by_role["handyman"]
    assert "task:read:case" in by_role["property-manager"]
    assert "compliance_record:approve:org" in by_role["real-estate-broker"]
    assert not any(name.startswith("audit_log:") for names in by_role.values() for name in names)
    # Nobody below platform administrator reaches every row of private data: `any` is left
    # for what is public on purpose (the directory, the catalogue).
    public = {"user:read:any", "profile:read:any", "category:read:any", "role:read:any"}
    hub_wide = {n for names in by_role.values() for n in names if n.endswith(":any")}
    assert hub_wide <= public, hub_wide - public
    standing = catalog.permissions.org_roles
    assert not any(n.endswith(":any") for names in standing.values() for n in names)


def test_approve_exists_only_where_a_review_exists() -> None:
    approvals = {
        resource
        for resource, action, _ in default_catalog().permissions.all_permissions()
        if action == "approve"
    }
    # Reviews of documents and compliance records, and the approval steps of a case's
    # workflows; verifying a claimed role (users) and an organization.
    assert approvals == {"document_instance", "compliance_record", "case", "user", "organization"}
