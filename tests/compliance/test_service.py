"""Compliance records are reviewed, never self-certified: verify and fail need `approve` and
another person; a verified record is frozen; evidence says who uploaded it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from tests.orgs import firm

pytestmark = pytest.mark.usefixtures("backend")

BROKER = "real-estate-broker"  # compliance_record:approve:org
AGENT = "real-estate-agent"
EVIDENCE = {
    "file_name": "license.pdf",
    "location": "file:evidence/license.pdf",
    "content_type": "application/pdf",
    "size": 2048,
}


async def person(db: DatabaseService, role: str) -> Any:
    return await db.create_user(
        {
            "email": f"{role}.{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Pat",
            "last_name": "Tester",
            "role_id": role,
        }
    )


async def record_of(db: DatabaseService, owner: Any, **extra: Any) -> Any:
    requirement = (await db.find_compliance_requirements(role_id=owner.role_id)).items[0]
    return await db.acting_as(owner.id).create_compliance_record(
        {"requirement_id": str(requirement.id), "user_id": str(owner.id), **extra}
    )


async def test_a_professional_cannot_certify_themselves(db: DatabaseService) -> None:
    agent = await person(db, AGENT)
    as_agent = db.acting_as(agent.id)
    record = await record_of(db, agent, evidence=[EVIDENCE])
    assert record.status == "pending"
    for claim in (
        {"status": "verified"},
        {"verified_by": str(agent.id)},
        {"verified_at": "2026-12-01T10:00:00Z"},
    ):
        with pytest.raises(ValidationError) as refused:
            await as_agent.update_compliance_record(record.id, claim)
        assert "verify_compliance_record" in refused.value.errors[0].message
    with pytest.raises(ValidationError, match="verify_compliance_record"):
        await record_of(db, agent, status="verified", verified_by=str(agent.id))
    with pytest.raises(PermissionDeniedError, match="approve"):
        await as_agent.verify_compliance_record(record.id)
    assert (await db.find_compliance_record_by_id(record.id)).status == "pending"

    # Nor does holding `approve` let a reviewer pass their own record.
    broker = await person(db, BROKER)
    own = await record_of(db, broker)
    with pytest.raises(PermissionDeniedError, match="your own"):
        await db.acting_as(broker.id).verify_compliance_record(own.id)
    denied = await db.find_audit_logs(resource="compliance_record", resource_id=str(own.id))
    assert "denied" in [row.action for row in denied.items]


async def test_a_reviewer_verifies_and_the_record_is_frozen(db: DatabaseService) -> None:
    agent, broker = await person(db, AGENT), await person(db, BROKER)
    await firm(db, broker, agent)
    record = await record_of(db, agent, evidence=[EVIDENCE])
    expires = datetime(2027, 6, 30, tzinfo=UTC)
    verified = await db.acting_as(broker.id).verify_compliance_record(
        record.id, note="License matches the state registry.", expires_at=expires
    )
    assert (verified.status, verified.verified_by, verified.reviewed_by) == (
        "verified",
        broker.id,
        broker.id,
    )
    assert verified.verified_at is not None and verified.expires_at == expires
    assert verified.review_note == "License matches the state registry."
    trail = await db.find_audit_logs(resource="compliance_record", resource_id=str(record.id))
    assert trail.items[0].action == "verify"
    assert trail.items[0].changes["status"] == ["pending", "verified"]

    as_agent = db.acting_as(agent.id)
    with pytest.raises(ConflictError, match="frozen"):
        await as_agent.update_compliance_record(record.id, {"expires_at": "2030-01-01T00:00:00Z"})
    with pytest.raises(ConflictError, match="frozen"):
        await as_agent.create_compliance_evidence({**EVIDENCE, "record_id": str(record.id)})
    with pytest.raises(ConflictError, match="only a pending one"):
        await db.acting_as(broker.id).fail_compliance_record(record.id, note="Second thoughts")


async def test_a_failed_record_is_corrected_and_resubmitted(db: DatabaseService) -> None:
    agent, broker = await person(db, AGENT), await person(db, BROKER)
    await firm(db, broker, agent)
    as_agent, as_broker = db.acting_as(agent.id), db.acting_as(broker.id)
    record = await record_of(db, agent)
    with pytest.raises(ValidationError, match="note"):
        await as_broker.fail_compliance_record(record.id, note="")
    failed = await as_broker.fail_compliance_record(record.id, note="The scan is unreadable.")
    assert (failed.status, failed.review_note, failed.verified_by) == (
        "failed",
        "The scan is unreadable.",
        None,
    )
    evidence = await as_agent.create_compliance_evidence({**EVIDENCE, "record_id": str(record.id)})
    assert (evidence.uploaded_by, evidence.uploaded_at is not None) == (agent.id, True)
    with pytest.raises(ValidationError, match="recorded by the hub"):
        await as_agent.create_compliance_evidence(
            {**EVIDENCE, "record_id": str(record.id), "uploaded_by": str(broker.id)}
        )
    with pytest.raises(NotFoundError):  # a stranger may not resubmit what they cannot see
        await db.acting_as((await person(db, AGENT)).id).resubmit_compliance_record(record.id)
    pending = await as_agent.resubmit_compliance_record(record.id)
    assert pending.status == "pending"
    assert (await as_broker.verify_compliance_record(record.id)).status == "verified"
    actions = [r.action for r in (await db.find_audit_logs(resource_id=str(record.id))).items]
    assert actions[:3] == ["verify", "resubmit", "fail"]


async def test_a_verdict_on_evidence_that_changed_since_is_refused(db: DatabaseService) -> None:
    agent, broker = await person(db, AGENT), await person(db, BROKER)
    await firm(db, broker, agent)
    record = await record_of(db, agent, evidence=[EVIDENCE])
    seen = record.version  # what the reviewer looked at
    evidence = (await db.find_compliance_evidence(record_id=record.id)).items[0]
    await db.acting_as(agent.id).delete_compliance_evidence(evidence.id)
    await db.acting_as(agent.id).create_compliance_evidence(
        {**EVIDENCE, "file_name": "other.pdf", "record_id": str(record.id)}
    )
    assert (await db.find_compliance_record_by_id(record.id)).version == seen + 2
    with pytest.raises(ConflictError, match="changed since"):
        await db.acting_as(broker.id).verify_compliance_record(record.id, expected_version=seen)
