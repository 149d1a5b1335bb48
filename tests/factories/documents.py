"""Document templates, their variables, and filled-in instances."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import DocumentInstance, DocumentTemplate, DocumentVariable
from dreamery.models.enums import TemplateCategory, VariableType
from tests.factories.base import ROLE, add, organization_of
from tests.factories.users import user


async def template(session: AsyncSession, **fields: Any) -> DocumentTemplate:
    values = {
        "name": "Lease",
        "role_id": ROLE,
        "category": TemplateCategory.AGREEMENT,
        "content": "Tenant: {{tenantName}}",
    } | fields
    return await add(session, DocumentTemplate(**values))


async def variable(session: AsyncSession, **fields: Any) -> DocumentVariable:
    if "template_id" not in fields:
        fields["template_id"] = (await template(session)).id
    values = {"name": "tenantName", "var_type": VariableType.STRING} | fields
    return await add(session, DocumentVariable(**values))


async def instance(session: AsyncSession, **fields: Any) -> DocumentInstance:
    if "template_id" not in fields:
        fields["template_id"] = (await template(session)).id
    if "user_id" not in fields:
        fields["user_id"] = (await user(session)).id
    fields.setdefault("organization_id", await organization_of(session, fields["user_id"]))
    return await add(session, DocumentInstance(**({"role_id": ROLE} | fields)))
