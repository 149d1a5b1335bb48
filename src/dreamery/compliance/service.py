"""Compliance: a role's requirements, professionals' records of them, and the evidence.

A record waits for review as pending. A reviewer (`compliance_record:approve`, never the
record's own professional) verifies it or fails it with a note; the professional corrects a
failed record (its notes, its evidence) and resubmits it. A verified record is frozen: its
fields and evidence change only through a new review, so nobody certifies themselves.
"""

from __future__ import annotations

from typing import get_args

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.compliance.schemas import (
    ComplianceEvidenceCreate,
    ComplianceEvidenceFilters,
    ComplianceEvidenceRead,
    ComplianceEvidenceUpdate,
    ComplianceFailure,
    ComplianceRecordCreate,
    ComplianceRecordFilters,
    ComplianceRecordRead,
    ComplianceRecordUpdate,
    ComplianceRequirementCreate,
    ComplianceRequirementFilters,
    ComplianceRequirementRead,
    ComplianceRequirementUpdate,
    ComplianceResubmission,
    ComplianceVerification,
    EvidenceSort,
    RecordSort,
    RequirementSort,
)
from dreamery.core import crud
from dreamery.core.access import authorize, refuse_own
from dreamery.core.context import Caller, PermissionAction
from dreamery.core.entities import EntityId, EntitySpec, Input, Ownership, Tenancy
from dreamery.core.errors import ConflictError
from dreamery.core.types import utcnow
from dreamery.models import ComplianceEvidence, ComplianceRecord, ComplianceRequirement
from dreamery.models.enums import AuditAction, ComplianceStatus, Resource
from dreamery.users import service as users

COMPLIANCE_REQUIREMENTS: EntitySpec[ComplianceRequirement, ComplianceRequirementRead] = EntitySpec(
    name="compliance_requirement",
    model=ComplianceRequirement,
    resource=Resource.COMPLIANCE_REQUIREMENT,
    create_schema=ComplianceRequirementCreate,
    update_schema=ComplianceRequirementUpdate,
    read_schema=ComplianceRequirementRead,
    filters=ComplianceRequirementFilters,
    sorts=frozenset(get_args(RequirementSort)),
    owner=Ownership("role_id", "role_id", per_organization=True),
    tenancy=Tenancy(shared=True),
    group="Compliance",
    row_label=lambda requirement: requirement.name,
    list_columns=(
        "name",
        "role_id",
        "category",
        "frequency",
        "is_active",
    ),
)

COMPLIANCE_RECORDS: EntitySpec[ComplianceRecord, ComplianceRecordRead] = EntitySpec(
    name="compliance_record",
    model=ComplianceRecord,
    resource=Resource.COMPLIANCE_RECORD,
    create_schema=ComplianceRecordCreate,
    update_schema=ComplianceRecordUpdate,
    read_schema=ComplianceRecordRead,
    filters=ComplianceRecordFilters,
    sorts=frozenset(get_args(RecordSort)),
    owner=Ownership("user_id"),
    tenancy=Tenancy(from_user="user_id"),
    group="Compliance",
    list_columns=(
        "requirement_id",
        "user_id",
        "status",
        "expires_at",
        "verified_at",
    ),
)

COMPLIANCE_EVIDENCE: EntitySpec[ComplianceEvidence, ComplianceEvidenceRead] = EntitySpec(
    name="compliance_evidence",
    model=ComplianceEvidence,
    resource=Resource.COMPLIANCE_RECORD,
    create_schema=ComplianceEvidenceCreate,
    update_schema=ComplianceEvidenceUpdate,
    read_schema=ComplianceEvidenceRead,
    filters=ComplianceEvidenceFilters,
    sorts=frozenset(get_args(EvidenceSort)),
    parent=(COMPLIANCE_RECORDS, "record_id"),
    tenancy=Tenancy(),
    plural="compliance_evidence",
    group="Compliance",
    row_label=lambda evidence: evidence.file_name,
    list_columns=(
        "record_id",
        "file_name",
        "content_type",
        "size",
        "uploaded_at",
    ),
)

# What a professional may still change: a record not yet reviewed, or one that failed.
OPEN = frozenset({ComplianceStatus.PENDING, ComplianceStatus.FAILED})
REVIEW_FIELDS = {"status", "reviewed_by", "reviewed_at", "review_note"}


def _open(record: ComplianceRecord, what: str) -> None:
    if record.status not in OPEN:
        raise ConflictError(
            f"{what} of a {record.status} compliance record cannot change; a verified record "
            "is frozen until it is reviewed again"
        )


def _evidence_stamp(caller: Caller) -> dict[str, object]:
    return {"uploaded_at": utcnow(), "uploaded_by": caller.actor.user_id}


async def _evidence_changed(session: AsyncSession, record: ComplianceRecord) -> None:
    """A record's evidence is part of what a reviewer checks: changing it moves the record's
    version, so a verdict based on the version seen before is refused as stale."""
    record.updated_at = utcnow()
    await crud.flush_versioned(session, COMPLIANCE_RECORDS, record.id)


@COMPLIANCE_RECORDS.creates
async def create_compliance_record(
    session: AsyncSession, caller: Caller, data: Input
) -> ComplianceRecord:
    """A pending record with its evidence, in one transaction: the caller's, unless it names
    the professional it is of."""
    payload = crud.parse(ComplianceRecordCreate, data)
    decided = await users.for_the_caller(session, caller, dict(payload), role_field=None)
    record: ComplianceRecord = await crud.create(
        session,
        caller,
        COMPLIANCE_RECORDS,
        payload.model_copy(update={"evidence": [], **decided}),
    )
    for item in payload.evidence:
        await crud.create(
            session,
            caller,
            COMPLIANCE_EVIDENCE,
            {**item.model_dump(), "record_id": record.id},
            extra=_evidence_stamp(caller),
        )
    return record


@COMPLIANCE_RECORDS.updates
async def update_compliance_record(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    data: Input,
    *,
    expected_version: int | None = None,
) -> ComplianceRecord:
    """Change a pending or failed record's notes or expiry."""
    record: ComplianceRecord = await crud.load(session, caller, COMPLIANCE_RECORDS, entity_id)
    _open(record, "the fields")
    changed: ComplianceRecord = await crud.update(
        session, caller, COMPLIANCE_RECORDS, entity_id, data, expected_version=expected_version
    )
    return changed


async def _record_of_evidence(
    session: AsyncSession, caller: Caller, evidence_id: EntityId
) -> ComplianceRecord:
    evidence: ComplianceEvidence = await crud.load(
        session, caller, COMPLIANCE_EVIDENCE, evidence_id
    )
    record: ComplianceRecord = await crud.load(
        session, caller, COMPLIANCE_RECORDS, evidence.record_id
    )
    return record


@COMPLIANCE_EVIDENCE.creates
async def add_compliance_evidence(
    session: AsyncSession, caller: Caller, data: Input
) -> ComplianceEvidence:
    """A file for a pending or failed record; who uploaded it and when are recorded."""
    payload = crud.parse(ComplianceEvidenceCreate, data)
    record: ComplianceRecord = await crud.load(
        session, caller, COMPLIANCE_RECORDS, payload.record_id
    )
    _open(record, "the evidence")
    evidence: ComplianceEvidence = await crud.create(
        session, caller, COMPLIANCE_EVIDENCE, payload, extra=_evidence_stamp(caller)
    )
    await _evidence_changed(session, record)
    return evidence


@COMPLIANCE_EVIDENCE.updates
async def update_compliance_evidence(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    data: Input,
    *,
    expected_version: int | None = None,
) -> ComplianceEvidence:
    record = await _record_of_evidence(session, caller, entity_id)
    _open(record, "the evidence")
    changed: ComplianceEvidence = await crud.update(
        session, caller, COMPLIANCE_EVIDENCE, entity_id, data, expected_version=expected_version
    )
    await _evidence_changed(session, record)
    return changed


@COMPLIANCE_EVIDENCE.deletes
async def remove_compliance_evidence(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    *,
    expected_version: int | None = None,
) -> ComplianceEvidence:
    record = await _record_of_evidence(session, caller, entity_id)
    _open(record, "the evidence")
    removed: ComplianceEvidence = await crud.delete(
        session, caller, COMPLIANCE_EVIDENCE, entity_id, expected_version=expected_version
    )
    await _evidence_changed(session, record)
    return removed


async def _to_review(
    session: AsyncSession, caller: Caller, record_id: EntityId, verb: str, done: str
) -> ComplianceRecord:
    """The pending record a reviewer may `verb` (it is then `done`)."""
    record: ComplianceRecord = await crud.load(session, caller, COMPLIANCE_RECORDS, record_id)
    await authorize(session, caller, COMPLIANCE_RECORDS, PermissionAction.APPROVE, record)
    refuse_own(caller, COMPLIANCE_RECORDS, record, verb)
    if record.status != ComplianceStatus.PENDING:
        raise ConflictError(
            f"a {record.status} compliance record cannot be {done}; only a pending one "
            "(its professional resubmits a failed record)"
        )
    return record


@COMPLIANCE_RECORDS.action(
    "verify",
    input=ComplianceVerification,
    label="Verify",
    owns=REVIEW_FIELDS | {"verified_at", "verified_by"},
    applies=lambda record: record.status == ComplianceStatus.PENDING,
)
async def verify_compliance_record(
    session: AsyncSession,
    caller: Caller,
    record_id: EntityId,
    verification: ComplianceVerification,
) -> ComplianceRecord:
    """Verify a pending record against its evidence (reviewers; not one's own)."""
    record = await _to_review(session, caller, record_id, "verify", "verified")
    now = utcnow()
    values: dict[str, object] = {
        "status": ComplianceStatus.VERIFIED,
        "verified_at": now,
        "verified_by": caller.actor.user_id,
        "reviewed_at": now,
        "reviewed_by": caller.actor.user_id,
        "review_note": verification.note,
    }
    if verification.expires_at is not None:
        values["expires_at"] = verification.expires_at
    verified: ComplianceRecord = await crud.apply(
        session,
        caller,
        COMPLIANCE_RECORDS,
        record,
        values,
        action=AuditAction.VERIFY,
        expected_version=verification.version,
    )
    return verified


@COMPLIANCE_RECORDS.action(
    "fail",
    input=ComplianceFailure,
    label="Fail",
    owns=REVIEW_FIELDS,
    applies=lambda record: record.status == ComplianceStatus.PENDING,
)
async def fail_compliance_record(
    session: AsyncSession, caller: Caller, record_id: EntityId, failure: ComplianceFailure
) -> ComplianceRecord:
    """Fail a pending record, saying what is missing (reviewers; not one's own)."""
    record = await _to_review(session, caller, record_id, "fail", "failed")
    failed: ComplianceRecord = await crud.apply(
        session,
        caller,
        COMPLIANCE_RECORDS,
        record,
        {
            "status": ComplianceStatus.FAILED,
            "reviewed_at": utcnow(),
            "reviewed_by": caller.actor.user_id,
            "review_note": failure.note,
        },
        action=AuditAction.FAIL,
        expected_version=failure.version,
    )
    return failed


@COMPLIANCE_RECORDS.action(
    "resubmit",
    input=ComplianceResubmission,
    label="Resubmit for review",
    owns={"status"},
    applies=lambda record: record.status == ComplianceStatus.FAILED,
)
async def resubmit_compliance_record(
    session: AsyncSession,
    caller: Caller,
    record_id: EntityId,
    resubmission: ComplianceResubmission,
) -> ComplianceRecord:
    """Send a failed record, once corrected, back to review (its professional)."""
    record: ComplianceRecord = await crud.load(session, caller, COMPLIANCE_RECORDS, record_id)
    await authorize(session, caller, COMPLIANCE_RECORDS, PermissionAction.UPDATE, record)
    if record.status != ComplianceStatus.FAILED:
        raise ConflictError(
            f"a {record.status} compliance record cannot be resubmitted; only a failed one"
        )
    pending: ComplianceRecord = await crud.apply(
        session,
        caller,
        COMPLIANCE_RECORDS,
        record,
        {"status": ComplianceStatus.PENDING},
        action=AuditAction.RESUBMIT,
        expected_version=resubmission.version,
    )
    return pending
