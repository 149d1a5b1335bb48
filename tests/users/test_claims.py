"""A claimed role is not a granted role: signed up as any role of the catalogue, a new
professional reaches no row of anyone else's private data."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery import DatabaseService
from dreamery.auth import service as auth
from dreamery.auth.schemas import Registration
from dreamery.catalog.data import default_catalog
from dreamery.core import crud
from dreamery.core.context import SYSTEM_ACTOR, Caller, RequestContext
from dreamery.rbac import service as rbac
from dreamery.service import ENTITIES
from tests import factories as make

pytestmark = pytest.mark.usefixtures("backend")

# What everyone may read on purpose: the directory of professionals and the catalogue.
PUBLIC = {"user", "profile", "category", "role", "permission", "role_permission"}


async def _someones_data(session: AsyncSession) -> Any:
    """A broker's firm with its data in every table, and a deal with a lender on it."""
    firm = await make.organization(session, kind="brokerage", verified_at=make.now())
    broker = await make.user(session, role_id="real-estate-broker", organization_id=firm.id)
    await make.profile(session, user_id=broker.id, license_number="SSN-123-45-6789")
    deal = await make.case(session, organization_id=firm.id, created_by=broker.id)
    await make.participant(session, case_id=deal.id, user_id=broker.id)
    task = await make.task(session, user_id=broker.id, case_id=deal.id)
    await make.reminder(session, task_id=task.id, user_id=broker.id)
    await make.notification(session, user_id=broker.id, case_id=deal.id)
    await make.instance(session, user_id=broker.id, case_id=deal.id)
    record = await make.record(session, user_id=broker.id)
    await make.evidence(session, record_id=record.id)
    await make.metric(session, user_id=broker.id, role_id="real-estate-broker")
    await make.workflow(session, organization_id=firm.id, role_id="real-estate-broker")
    await make.audit(session, user_id=broker.id, organization_id=firm.id)
    return firm


async def test_signing_up_as_any_role_reaches_nobody_elses_data(db: DatabaseService) -> None:
    async with db.unit() as unit:
        firm = await _someones_data(unit.session)
    # The data is there to be found: the hub itself finds it in each of these.
    private = [s for s in ENTITIES if s.name not in PUBLIC and s.tenancy is not None]
    async with db.unit(write=False) as unit:
        hub = Caller(SYSTEM_ACTOR, RequestContext())
        held = set()
        for spec in private:
            rows = (await crud.find(unit.session, hub, spec, limit=100)).items
            if any(getattr(row, spec.tenancy.column) == firm.id for row in rows):  # type: ignore[union-attr]
                held.add(spec.name)
    assert held >= {
        "task",
        "reminder",
        "notification",
        "document_instance",
        "compliance_record",
        "compliance_evidence",
        "analytics_metric",
        "workflow",
        "audit_log",
        "organization",
        "membership",
        "case",
        "case_participant",
    }, held
    checked = 0
    for _, role in default_catalog().roles:
        async with db.unit() as unit:
            session = unit.session
            claimant = await auth.register(
                session,
                RequestContext(),
                Registration.model_validate(
                    {
                        "email": f"{role.id}.{uuid.uuid4().hex[:6]}@example.com",
                        "password": "not hashed here, never used",
                        "first_name": "Claire",
                        "last_name": "Mant",
                        "role_id": role.id,
                    }
                ),
                "argon2-hash-not-used",
            )
            assert claimant.role_verified_at is None
            caller = Caller(await rbac.actor_for(session, claimant.id), RequestContext())
            for spec in private:
                assert spec.tenancy is not None
                page = await crud.find(session, caller, spec, limit=100, with_total=True)
                column = spec.tenancy.column
                reached = [row for row in page.items if getattr(row, column) == firm.id]
                assert reached == [] and page.total == len(page.items), (role.id, spec.name)
                checked += 1
    assert checked > 89 * 10
