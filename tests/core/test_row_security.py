"""Row-level security on PostgreSQL, the second line of defence: connected as the
application's role, which does not own the tables, a query issued without the application's
organization filter still sees no row of another organization."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dreamery import DatabaseService
from dreamery.core import access
from dreamery.core.db import create_engine, narrow_rows
from dreamery.models import Case, Task, User
from tests.orgs import firm

# SQLite has no row-level security: there the application's filter is all there is.
pytestmark = [pytest.mark.usefixtures("backend"), pytest.mark.postgresql_only]


@pytest.fixture
async def app_url(fresh_seeded_url: str) -> AsyncIterator[str]:
    """The same database, as a login role that owns nothing and bypasses nothing."""
    url = make_url(fresh_seeded_url)
    role = f"dreamery_app_{uuid.uuid4().hex[:8]}"
    owner = await asyncpg.connect(
        user=url.username, host=url.host, port=url.port, database=url.database
    )
    try:
        await owner.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        await owner.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        await owner.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        yield url.set(username=role).render_as_string(hide_password=False)
    finally:
        await owner.execute(f"DROP OWNED BY {role}")
        await owner.execute(f"DROP ROLE {role}")
        await owner.close()


async def _two_firms(owner_url: str) -> dict[str, Any]:
    """Two brokerages with an agent each, each agent with a task."""
    async with DatabaseService(owner_url) as db:
        people = {}
        for name in ("north", "south"):
            broker = await db.create_user(
                {
                    "email": f"{name}.broker@example.com",
                    "first_name": name.title(),
                    "last_name": "Broker",
                    "role_id": "real-estate-broker",
                }
            )
            agent = await db.create_user(
                {
                    "email": f"{name}.agent@example.com",
                    "first_name": name.title(),
                    "last_name": "Agent",
                    "role_id": "real-estate-agent",
                }
            )
            organization = await firm(db, broker, agent)
            await db.acting_as(agent.id).create_task(
                {"title": f"{name} task", "role_id": agent.role_id, "user_id": str(agent.id)}
            )
            people[name] = {"broker": broker, "agent": agent, "organization": organization}
        return people


async def test_a_query_without_the_filter_sees_no_other_organizations_row(
    fresh_seeded_url: str, app_url: str
) -> None:
    people = await _two_firms(fresh_seeded_url)
    north = people["north"]
    engine = create_engine(app_url, row_security=True)
    try:
        async with engine.connect() as connection:
            # The hub's own work (a connection of the hub, not narrowed) sees every task.
            assert await connection.scalar(select(func.count()).select_from(Task)) == 2
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(engine) as session, session.begin():
            actor = await _actor(session, north["agent"].id)
            await narrow_rows(
                session,
                organization_id=actor.organization_id,
                user_id=actor.user_id,
                case_ids=access.case_ids(actor),
            )
            # No WHERE on the organization: the database holds it to north's rows anyway.
            titles = (await session.scalars(select(Task.title))).all()
            assert titles == ["north task"]
            assert await session.scalar(select(func.count()).select_from(Case)) == 0
            # The directory stays readable by all.
            assert await session.scalar(select(func.count()).select_from(User)) >= 4
            # Writes are held too: south's task cannot be touched, nor a row put in south.
            changed = await session.execute(
                update(Task).where(Task.title == "south task").values(title="taken")
            )
            assert changed.rowcount == 0  # type: ignore[attr-defined]
            south = people["south"]
            with pytest.raises(DBAPIError, match="row-level security"):
                async with session.begin_nested():
                    await session.execute(
                        update(Task)
                        .where(Task.title == "north task")
                        .values(organization_id=south["organization"].id, user_id=south["agent"].id)
                    )
        # A connection that never said who acts (not the hub's) sees nothing at all.
        plain = await asyncpg.connect(app_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            assert await plain.fetchval("SELECT count(*) FROM tasks") == 0
        finally:
            await plain.close()
    finally:
        await engine.dispose()


async def _actor(session: Any, user_id: uuid.UUID) -> Any:
    from dreamery.rbac import service as rbac

    return await rbac.actor_for(session, user_id)


async def test_the_hub_works_as_the_applications_role(fresh_seeded_url: str, app_url: str) -> None:
    """Reading, a case across organizations and an invitation, all under row security."""
    people = await _two_firms(fresh_seeded_url)
    north, south = people["north"], people["south"]
    async with DatabaseService(fresh_seeded_url) as owner:
        escrow = await owner.create_user(
            {
                "email": "south.escrow@example.com",
                "first_name": "Sol",
                "last_name": "Escrow",
                "role_id": "escrow-officer",  # title-escrow: task:create:case, task:read:case
            }
        )
    engine = create_engine(app_url, row_security=True)
    try:
        async with DatabaseService(engine=engine) as db:
            as_agent = db.acting_as(north["agent"].id)
            assert [t.title for t in (await as_agent.find_tasks()).items] == ["north task"]
            # Every unit of a signed-in professional is narrowed in the database itself.
            async with as_agent.unit(write=False) as unit:
                scope = text("SELECT current_setting('dreamery.scope'), count(*) FROM tasks")
                assert (await unit.session.execute(scope)).one() == ("tenant", 1)
            async with db.unit(write=False) as unit:  # the hub's own
                assert (await unit.session.execute(scope)).one() == ("all", 2)
            case = await as_agent.create_case(
                {"title": "12 Elm", "kind": "purchase", "case_role": "buyers_agent"}
            )
            await as_agent.create_case_participant(
                {"case_id": str(case.id), "user_id": str(escrow.id), "case_role": "escrow_officer"}
            )
            # The escrow officer, of another organization, gives the agent a task of the deal.
            as_escrow = db.acting_as(escrow.id)
            assert (await as_escrow.find_case_by_id(case.id)).title == "12 Elm"
            handed = await as_escrow.create_task(
                {
                    "title": "Sign the offer",
                    "role_id": "real-estate-agent",
                    "user_id": str(north["agent"].id),
                    "case_id": str(case.id),
                }
            )
            assert handed.organization_id == north["organization"].id
            assert handed.id in {t.id for t in (await as_agent.find_tasks()).items}
            assert [t.id for t in (await as_escrow.find_tasks()).items] == [handed.id]
            # An invitation crosses organizations by nature.
            invitation = await db.acting_as(south["broker"].id).create_invitation(
                {"email": north["agent"].email}
            )
            assert invitation.token is not None
            moved = await as_agent.accept_invitation(invitation.token)
            assert moved.organization_id == south["organization"].id
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT count(*) FROM memberships"))
            assert rows.scalar_one() >= 5
    finally:
        await engine.dispose()
