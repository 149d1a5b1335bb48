"""A document is filled in as a draft, submitted once complete, then signed or returned by a
reviewer who is not its owner; under review or signed, it no longer changes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import ConflictError, PermissionDeniedError, ValidationError

pytestmark = pytest.mark.usefixtures("backend")

AGENT = "real-estate-agent"
ATTORNEY = "real-estate-attorney"  # legal services: document_instance:approve:case


async def person(db: DatabaseService, role: str) -> Any:
    return await db.create_user(
        {
            "email": f"{role}.{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Pat",
            "last_name": "Tester",
            "role_id": role,
        }
    )


async def draft_of(db: DatabaseService, owner: Any, *, case_id: Any = None, **data: Any) -> Any:
    template = await db.create_document_template(
        {
            "name": "Lease",
            "role_id": owner.role_id,
            "category": "agreement",
            "content": "Tenant: {{tenantName}}, rent {{rent}}",
            "variables": [
                {"name": "tenantName", "var_type": "string", "required": True},
                {"name": "rent", "var_type": "currency", "required": True, "default_value": 0},
                {"name": "notes", "var_type": "text"},
            ],
        }
    )
    return await db.acting_as(owner.id).create_document_instance(
        {
            "template_id": str(template.id),
            "user_id": str(owner.id),
            "role_id": owner.role_id,
            "data": data,
            "case_id": str(case_id) if case_id else None,
        }
    )


async def test_the_status_and_signature_belong_to_the_review(db: DatabaseService) -> None:
    agent = await person(db, AGENT)
    as_agent = db.acting_as(agent.id)
    document = await draft_of(db, agent)
    assert (document.status, document.signed_at) == ("draft", None)
    for claim in ({"status": "signed"}, {"signed_at": "2026-12-01T10:00:00Z"}):
        with pytest.raises(ValidationError) as refused:
            await as_agent.update_document_instance(document.id, claim)
        assert "approve_document_instance" in refused.value.errors[0].message
    with pytest.raises(ValidationError, match="submit_document_instance"):
        await as_agent.create_document_instance(
            {
                "template_id": str(document.template_id),
                "user_id": str(agent.id),
                "role_id": AGENT,
                "status": "signed",
            }
        )


async def test_submit_needs_the_required_variables(db: DatabaseService) -> None:
    agent = await person(db, AGENT)
    as_agent = db.acting_as(agent.id)
    document = await draft_of(db, agent, tenantName="  ")
    with pytest.raises(ValidationError) as missing:
        await as_agent.submit_document_instance(document.id)
    assert [e.field for e in missing.value.errors] == ["data.tenantName"]  # rent has a default
    filled = await as_agent.update_document_instance(
        document.id, {"data": {"tenantName": "Dana Reyes"}}
    )
    submitted = await as_agent.submit_document_instance(
        document.id, expected_version=filled.version
    )
    assert (submitted.status, submitted.submitted_at is not None) == ("pending", True)
    with pytest.raises(ConflictError, match="only a draft"):
        await as_agent.update_document_instance(document.id, {"title": "Changed my mind"})
    with pytest.raises(ConflictError, match="must be draft"):
        await as_agent.submit_document_instance(document.id)


async def test_a_reviewer_signs_or_returns_but_never_their_own(db: DatabaseService) -> None:
    agent, attorney = await person(db, AGENT), await person(db, ATTORNEY)
    as_agent, as_attorney = db.acting_as(agent.id), db.acting_as(attorney.id)
    # The attorney reviews the documents of the deals they take part in.
    case = await as_agent.create_case(
        {"title": "12 Elm Street", "kind": "lease", "case_role": "listing_agent"}
    )
    await as_agent.create_case_participant(
        {"case_id": str(case.id), "user_id": str(attorney.id), "case_role": "attorney"}
    )
    document = await draft_of(db, agent, case_id=case.id, tenantName="Dana Reyes")
    await as_agent.submit_document_instance(document.id)
    with pytest.raises(PermissionDeniedError, match="approve"):
        await as_agent.approve_document_instance(document.id)

    returned = await as_attorney.return_document_instance(document.id, note="Initial page 2.")
    assert (returned.status, returned.reviewed_by, returned.review_note) == (
        "draft",
        attorney.id,
        "Initial page 2.",
    )
    await as_agent.submit_document_instance(document.id)
    signed = await as_attorney.approve_document_instance(document.id)
    assert (signed.status, signed.signed_at is not None) == ("signed", True)
    with pytest.raises(ConflictError, match="only a draft"):
        await as_agent.update_document_instance(document.id, {"data": {"tenantName": "Someone"}})
    trail = await db.find_audit_logs(resource="document_instance", resource_id=str(document.id))
    review = [r.action for r in trail.items if r.action != "denied"]
    assert review[:4] == ["approve", "submit", "return", "submit"]

    own = await draft_of(db, attorney, case_id=case.id, tenantName="Their own")
    await as_attorney.submit_document_instance(own.id)
    with pytest.raises(PermissionDeniedError, match="your own"):
        await as_attorney.approve_document_instance(own.id)
