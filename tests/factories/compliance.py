"""Compliance requirements, records and evidence."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import ComplianceEvidence, ComplianceRecord, ComplianceRequirement
from dreamery.models.enums import ComplianceCategory, Frequency
from tests.factories.base import ROLE, add, now, organization_of
from tests.factories.users import user


async def requirement(session: AsyncSession, **fields: Any) -> ComplianceRequirement:
    values = {
        "name": "E&O Insurance",
        "role_id": ROLE,
        "category": ComplianceCategory.INSURANCE,
        "frequency": Frequency.ANNUALLY,
    } | fields
    return await add(session, ComplianceRequirement(**values))


async def record(session: AsyncSession, **fields: Any) -> ComplianceRecord:
    if "requirement_id" not in fields:
        fields["requirement_id"] = (await requirement(session)).id
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    fields.setdefault("organization_id", await organization_of(session, fields["user_id"]))
    return await add(session, ComplianceRecord(**fields))


async def evidence(session: AsyncSession, **fields: Any) -> ComplianceEvidence:
    if "record_id" not in fields:
        fields["record_id"] = (await record(session)).id
    if "organization_id" not in fields:
        parent = await session.get(ComplianceRecord, fields["record_id"])
        assert parent is not None
        fields["organization_id"] = parent.organization_id
    values = {
        "file_name": "license.pdf",
        "location": "file:evidence/license.pdf",
        "content_type": "application/pdf",
        "size": 1024,
        "uploaded_at": now(),
    } | fields
    return await add(session, ComplianceEvidence(**values))
