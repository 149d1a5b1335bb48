"""`dreamery orgs create|list|add-member`: organizations from the command line."""

from __future__ import annotations

import pytest

from dreamery import DatabaseService
from tests.cli.runner import assert_one_line_error, dreamery

pytestmark = pytest.mark.usefixtures("backend")


async def test_an_organization_is_made_listed_and_joined(
    fresh_seeded_url: str, cli_env: dict[str, str]
) -> None:
    async with DatabaseService(fresh_seeded_url) as db:
        broker = await db.create_user(
            {
                "email": "bea@harbor.example.com",
                "first_name": "Bea",
                "last_name": "Broker",
                "role_id": "real-estate-broker",
            }
        )
        agent = await db.create_user(
            {
                "email": "ann@harbor.example.com",
                "first_name": "Ann",
                "last_name": "Agent",
                "role_id": "real-estate-agent",
            }
        )
    made = dreamery(
        "orgs",
        "create",
        "Harbor Realty",
        "--kind",
        "brokerage",
        "--owner",
        broker.email,
        "--verified",
        env=cli_env,
        url=fresh_seeded_url,
    )
    assert made.code == 0, made
    assert "harbor-realty" in made.out and "verified" in made.out
    joined = dreamery(
        "orgs",
        "add-member",
        "harbor-realty",
        agent.email,
        "--role",
        "reviewer",
        env=cli_env,
        url=fresh_seeded_url,
    )
    assert joined.code == 0, joined
    listed = dreamery("orgs", "list", "--kind", "brokerage", env=cli_env, url=fresh_seeded_url)
    assert listed.code == 0, listed
    row = next(line for line in listed.out.splitlines() if "Harbor Realty" in line)
    assert "2" in row and "yes" in row
    async with DatabaseService(fresh_seeded_url) as db:
        moved = await db.find_user_by_id(agent.id)
        (membership,) = (await db.find_memberships(user_id=agent.id, status="active")).items
        assert membership.org_role == "reviewer"
        assert (await db.find_organization_by_id(moved.organization_id)).slug == "harbor-realty"

    again = dreamery(
        "orgs", "create", "Harbor", "--slug", "harbor-realty", env=cli_env, url=fresh_seeded_url
    )
    assert_one_line_error(again, "slug", "already in use")
    nowhere = dreamery(
        "orgs", "add-member", "no-such-firm", agent.email, env=cli_env, url=fresh_seeded_url
    )
    assert_one_line_error(nowhere, "no-such-firm")
    bad_kind = dreamery("orgs", "create", "X", "--kind", "bank", env=cli_env, url=fresh_seeded_url)
    assert bad_kind.code != 0 and "bank" in bad_kind.err
