"""Compliance specs: a role's requirements, users' records of them, and the evidence."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.compliance.schemas import (
    ComplianceEvidenceCreate,
    ComplianceEvidenceRead,
    ComplianceEvidenceUpdate,
    ComplianceRecordCreate,
    ComplianceRecordRead,
    ComplianceRecordUpdate,
    ComplianceRequirementCreate,
    ComplianceRequirementRead,
    ComplianceRequirementUpdate,
)
from dreamery.core import crud
from dreamery.core.crud import Caller, EntitySpec, Ownership
from dreamery.core.types import utcnow
from dreamery.models import ComplianceEvidence, ComplianceRecord, ComplianceRequirement
from dreamery.models.enums import Resource

COMPLIANCE_REQUIREMENTS: EntitySpec[ComplianceRequirement, ComplianceRequirementRead] = EntitySpec(
    name="compliance_requirement",
    model=ComplianceRequirement,
    resource=Resource.COMPLIANCE_REQUIREMENT,
    create_schema=ComplianceRequirementCreate,
    update_schema=ComplianceRequirementUpdate,
    read_schema=ComplianceRequirementRead,
    owner=Ownership("role_id", "role_id"),
    filters=frozenset({"role_id", "category", "frequency", "is_active", "slug"}),
    sorts=frozenset({"created_at", "name"}),
)

COMPLIANCE_RECORDS: EntitySpec[ComplianceRecord, ComplianceRecordRead] = EntitySpec(
    name="compliance_record",
    model=ComplianceRecord,
    resource=Resource.COMPLIANCE_RECORD,
    create_schema=ComplianceRecordCreate,
    update_schema=ComplianceRecordUpdate,
    read_schema=ComplianceRecordRead,
    owner=Ownership("user_id"),
    filters=frozenset({"requirement_id", "user_id", "status"}),
    sorts=frozenset({"created_at", "expires_at"}),
    # Verifying a record is a review: only reviewers (`compliance_record:update:any`) set these.
    guarded_fields=frozenset({"verified_at", "verified_by"}),
)

COMPLIANCE_EVIDENCE: EntitySpec[ComplianceEvidence, ComplianceEvidenceRead] = EntitySpec(
    name="compliance_evidence",
    model=ComplianceEvidence,
    resource=Resource.COMPLIANCE_RECORD,
    create_schema=ComplianceEvidenceCreate,
    update_schema=ComplianceEvidenceUpdate,
    read_schema=ComplianceEvidenceRead,
    parent=(COMPLIANCE_RECORDS, "record_id"),
    filters=frozenset({"record_id", "content_type"}),
    sorts=frozenset({"created_at", "uploaded_at"}),
)


async def create_compliance_record(
    session: AsyncSession, caller: Caller, data: Any
) -> ComplianceRecord:
    """A record with its evidence, in one transaction."""
    payload = crud.parse(ComplianceRecordCreate, data)
    assert isinstance(payload, ComplianceRecordCreate)
    record = await crud.create(session, caller, COMPLIANCE_RECORDS, payload)
    for item in payload.evidence:
        fields = item.model_dump()
        fields["uploaded_at"] = fields.get("uploaded_at") or utcnow()
        fields["uploaded_by"] = fields.get("uploaded_by") or caller.actor.user_id
        await crud.create(session, caller, COMPLIANCE_EVIDENCE, {**fields, "record_id": record.id})
    return record
