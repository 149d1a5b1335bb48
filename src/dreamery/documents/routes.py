"""Documents over HTTP: templates, their variables, and instances with their review
(`POST /api/v1/document-instances/{id}/submit`, `.../approve`, `.../return`)."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.core.http import mount_entity
from dreamery.documents.service import DOCUMENT_INSTANCES, DOCUMENT_TEMPLATES, DOCUMENT_VARIABLES

router = APIRouter()
for spec in (DOCUMENT_TEMPLATES, DOCUMENT_VARIABLES, DOCUMENT_INSTANCES):
    mount_entity(router, spec)
