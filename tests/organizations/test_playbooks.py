"""An organization copies a starter workflow or template to adapt it: the copy is the
organization's, its members read it, other organizations do not see it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.core.errors import NotFoundError, PermissionDeniedError
from tests.orgs import firm

pytestmark = pytest.mark.usefixtures("backend")


async def person(db: DatabaseService, role: str) -> Any:
    return await db.create_user(
        {
            "email": f"{role}.{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Pat",
            "last_name": "Tester",
            "role_id": role,
        }
    )


async def test_an_organization_adapts_a_starter_workflow_and_template(
    db: DatabaseService,
) -> None:
    owner = await person(db, "acquisition-specialist")
    member = await person(db, "acquisition-specialist")
    outsider = await person(db, "acquisition-specialist")
    organization = await firm(db, owner, member)
    starter = (await db.find_workflows(role_id="acquisition-specialist")).items[0]
    assert starter.organization_id is None
    steps = await db.find_workflow_steps(workflow_id=starter.id, limit=100)

    # A member reads the starter content but does not make the organization's own.
    with pytest.raises(PermissionDeniedError):
        await db.acting_as(member.id).copy_workflow(starter.id)
    copy = await db.acting_as(owner.id).copy_workflow(starter.id, name="Our acquisitions")
    assert (copy.name, copy.organization_id, copy.slug) == (
        "Our acquisitions",
        organization.id,
        None,
    )
    copied = await db.find_workflow_steps(workflow_id=copy.id, limit=100)
    assert [s.name for s in copied.items] == [s.name for s in steps.items]
    assert {s.id for s in copied.items}.isdisjoint({s.id for s in steps.items})
    # Dependencies point at the copies' own steps.
    ours = {str(s.id) for s in copied.items}
    assert any(s.dependencies for s in copied.items), "the starter workflow has dependencies"
    assert all(set(s.dependencies) <= ours for s in copied.items)

    assert (await db.acting_as(member.id).find_workflow_by_id(copy.id)).id == copy.id
    with pytest.raises(NotFoundError):
        await db.acting_as(outsider.id).find_workflow_by_id(copy.id)
    assert (await db.find_workflow_by_id(starter.id)).organization_id is None

    template = (await db.find_document_templates(role_id="acquisition-specialist")).items[0]
    adapted = await db.acting_as(owner.id).copy_document_template(template.id)
    assert (adapted.name, adapted.organization_id) == (template.name, organization.id)
    variables = await db.find_document_variables(template_id=adapted.id, limit=100)
    originals = await db.find_document_variables(template_id=template.id, limit=100)
    assert sorted(v.name for v in variables.items) == sorted(v.name for v in originals.items)
