"""Compliance over HTTP: requirements, records with their review
(`POST /api/v1/compliance-records/{id}/verify`, `.../fail`, `.../resubmit`) and evidence."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.compliance.service import (
    COMPLIANCE_EVIDENCE,
    COMPLIANCE_RECORDS,
    COMPLIANCE_REQUIREMENTS,
)
from dreamery.core.http import mount_entity

router = APIRouter()
for spec in (COMPLIANCE_REQUIREMENTS, COMPLIANCE_RECORDS, COMPLIANCE_EVIDENCE):
    mount_entity(router, spec)
