"""The facade's compliance: requirements, records with their review, and evidence."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Unpack

from sqlalchemy.orm import selectinload

from dreamery.compliance import service as compliance
from dreamery.compliance.schemas import (
    ComplianceEvidenceCreate,
    ComplianceEvidenceFilters,
    ComplianceEvidenceRead,
    ComplianceEvidenceUpdate,
    ComplianceRecordCreate,
    ComplianceRecordFilters,
    ComplianceRecordRead,
    ComplianceRecordUpdate,
    ComplianceRequirementCreate,
    ComplianceRequirementFilters,
    ComplianceRequirementRead,
    ComplianceRequirementUpdate,
    EvidenceSort,
    RecordSort,
    RequirementSort,
)
from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.models import ComplianceRecord

REQUIREMENTS = compliance.COMPLIANCE_REQUIREMENTS
RECORDS = compliance.COMPLIANCE_RECORDS
EVIDENCE = compliance.COMPLIANCE_EVIDENCE


class ComplianceRecordWithRequirement(ComplianceRecordRead):
    requirement: ComplianceRequirementRead


class ComplianceFacade(FacadeBase):
    async def create_compliance_requirement(
        self, data: ComplianceRequirementCreate | Mapping[str, object]
    ) -> ComplianceRequirementRead:
        return await self.create(REQUIREMENTS, data)

    async def find_compliance_requirement_by_id(
        self, requirement_id: EntityId
    ) -> ComplianceRequirementRead:
        return await self.get(REQUIREMENTS, requirement_id)

    async def find_compliance_requirements(
        self,
        *,
        sort: RequirementSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[ComplianceRequirementFilters],
    ) -> Page[ComplianceRequirementRead]:
        return await self.find(
            REQUIREMENTS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_compliance_requirement(
        self,
        requirement_id: EntityId,
        data: ComplianceRequirementUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> ComplianceRequirementRead:
        return await self.update(
            REQUIREMENTS, requirement_id, data, expected_version=expected_version
        )

    async def delete_compliance_requirement(
        self, requirement_id: EntityId, *, expected_version: int | None = None
    ) -> ComplianceRequirementRead:
        return await self.delete(REQUIREMENTS, requirement_id, expected_version=expected_version)

    async def create_compliance_record(
        self, data: ComplianceRecordCreate | Mapping[str, object]
    ) -> ComplianceRecordRead:
        """A pending record with its evidence, in one transaction."""
        return await self.create(RECORDS, data)

    async def find_compliance_record_by_id(
        self, record_id: EntityId, *, include_deleted: bool = False
    ) -> ComplianceRecordRead:
        return await self.get(RECORDS, record_id, include_deleted=include_deleted)

    async def find_compliance_records(
        self,
        *,
        sort: RecordSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[ComplianceRecordFilters],
    ) -> Page[ComplianceRecordRead]:
        return await self.find(
            RECORDS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def find_compliance_records_by_user(
        self, user_id: EntityId
    ) -> list[ComplianceRecordWithRequirement]:
        """A user's records, each with its requirement."""
        page = await self._find_as(
            RECORDS,
            ComplianceRecordWithRequirement,
            filters={"user_id": user_id},
            limit=MAX_LIMIT,
            options=[selectinload(ComplianceRecord.requirement)],
        )
        return page.items

    async def update_compliance_record(
        self,
        record_id: EntityId,
        data: ComplianceRecordUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> ComplianceRecordRead:
        """Change a pending or failed record (a verified one is frozen)."""
        return await self.update(RECORDS, record_id, data, expected_version=expected_version)

    async def verify_compliance_record(
        self,
        record_id: EntityId,
        *,
        note: str | None = None,
        expires_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> ComplianceRecordRead:
        """Verify a pending record: reviewers, never on their own record."""
        return await self.perform(
            RECORDS,
            compliance.verify_compliance_record,
            record_id,
            {"note": note, "expires_at": expires_at, "version": expected_version},
        )

    async def fail_compliance_record(
        self, record_id: EntityId, *, note: str, expected_version: int | None = None
    ) -> ComplianceRecordRead:
        """Fail a pending record, saying what is missing: reviewers, never their own."""
        return await self.perform(
            RECORDS,
            compliance.fail_compliance_record,
            record_id,
            {"note": note, "version": expected_version},
        )

    async def resubmit_compliance_record(
        self, record_id: EntityId, *, expected_version: int | None = None
    ) -> ComplianceRecordRead:
        """Send a corrected failed record back to review (its professional)."""
        return await self.perform(
            RECORDS,
            compliance.resubmit_compliance_record,
            record_id,
            {"version": expected_version},
        )

    async def delete_compliance_record(
        self, record_id: EntityId, *, expected_version: int | None = None
    ) -> ComplianceRecordRead:
        return await self.delete(RECORDS, record_id, expected_version=expected_version)

    async def restore_compliance_record(self, record_id: EntityId) -> ComplianceRecordRead:
        return await self.restore(RECORDS, record_id)

    async def purge_compliance_record(self, record_id: EntityId) -> None:
        await self.purge(RECORDS, record_id)

    async def create_compliance_evidence(
        self, data: ComplianceEvidenceCreate | Mapping[str, object]
    ) -> ComplianceEvidenceRead:
        """A file for a pending or failed record; the hub records who uploaded it, when."""
        return await self.create(EVIDENCE, data)

    async def find_compliance_evidence_by_id(self, evidence_id: EntityId) -> ComplianceEvidenceRead:
        return await self.get(EVIDENCE, evidence_id)

    async def find_compliance_evidence(
        self,
        *,
        sort: EvidenceSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[ComplianceEvidenceFilters],
    ) -> Page[ComplianceEvidenceRead]:
        return await self.find(
            EVIDENCE,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_compliance_evidence(
        self,
        evidence_id: EntityId,
        data: ComplianceEvidenceUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> ComplianceEvidenceRead:
        return await self.update(EVIDENCE, evidence_id, data, expected_version=expected_version)

    async def delete_compliance_evidence(
        self, evidence_id: EntityId, *, expected_version: int | None = None
    ) -> ComplianceEvidenceRead:
        return await self.delete(EVIDENCE, evidence_id, expected_version=expected_version)
