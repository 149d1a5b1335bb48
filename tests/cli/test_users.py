"""`dreamery users` and the production guard of `dreamery serve`."""

from __future__ import annotations

import re

import pytest

from dreamery import DatabaseService
from tests.cli.runner import assert_one_line_error, dreamery

pytestmark = pytest.mark.usefixtures("backend")


async def test_the_first_administrator_is_made_once_with_a_printed_password(
    fresh_seeded_url: str, cli_env: dict[str, str]
) -> None:
    first = dreamery("users", "ensure-admin", env=cli_env, url=fresh_seeded_url)
    assert first.code == 0, first
    shown = re.search(r"Password \(shown once, stored only hashed\): (\S+)", first.out)
    assert shown, first.out
    password = shown.group(1)

    again = dreamery("users", "ensure-admin", env=cli_env, url=fresh_seeded_url)
    assert again.code == 0
    assert "Sign in as admin@example.com" in again.out
    assert password not in again.out

    async with DatabaseService(fresh_seeded_url) as db:
        session = await db.sign_in("admin@example.com", password)
        me = await db.acting_as(session.user_id).find_me()
        assert me.is_admin
        admins = await db.find_users(is_admin=True, limit=10)
        assert len(admins.items) == 1
        async with db.engine.connect() as connection:
            from sqlalchemy import text

            stored = await connection.scalar(
                text("SELECT password_hash FROM users WHERE email = 'admin@example.com'")
            )
        assert stored.startswith("$argon2id$") and password not in stored


async def test_create_admin_takes_the_password_from_the_environment(
    fresh_seeded_url: str, cli_env: dict[str, str]
) -> None:
    env = cli_env | {"DREAMERY_ADMIN_PASSWORD": "a production grade secret"}
    made = dreamery("users", "create-admin", "ops@example.com", env=env, url=fresh_seeded_url)
    assert made.code == 0, made
    assert "Administrator ops@example.com created." in made.out
    assert "a production grade secret" not in made.out
    async with DatabaseService(fresh_seeded_url) as db:
        await db.sign_in("ops@example.com", "a production grade secret")

    weak = dreamery(
        "users",
        "create-admin",
        "weak@example.com",
        env=cli_env | {"DREAMERY_ADMIN_PASSWORD": "password"},
        url=fresh_seeded_url,
    )
    assert_one_line_error(weak, "password", "common password")
    bad_role = dreamery(
        "users",
        "create-admin",
        "x@example.com",
        "--role",
        "astronaut",
        env=env,
        url=fresh_seeded_url,
    )
    assert bad_role.code == 1 and "role" in bad_role.err


def test_production_refuses_the_development_key_and_sqlite(
    database_url: str, cli_env: dict[str, str], backend: str
) -> None:
    production = cli_env | {"DREAMERY_ENV": "production"}
    refused = dreamery("serve", env=production, url=database_url)
    assert_one_line_error(refused, "SECRET_KEY", "production")

    keyed = production | {"SECRET_KEY": "k" * 48}
    if backend == "sqlite":
        assert_one_line_error(
            dreamery("serve", env=keyed, url=database_url), "DATABASE_URL", "SQLite"
        )
    short = production | {"SECRET_KEY": "too-short"}
    assert_one_line_error(dreamery("serve", env=short, url=database_url), "SECRET_KEY")


async def test_an_administrator_made_on_the_command_line_has_a_profile_and_a_welcome(
    fresh_seeded_url: str, cli_env: dict[str, str]
) -> None:
    env = cli_env | {"DREAMERY_ADMIN_PASSWORD": "a production grade secret"}
    for command in (["ensure-admin"], ["create-admin", "ops@example.com"]):
        made = dreamery("users", *command, env=env, url=fresh_seeded_url)
        assert made.code == 0, made
    async with DatabaseService(fresh_seeded_url) as db:
        for email in ("admin@example.com", "ops@example.com"):
            user = await db.find_user_by_email(email)
            assert len((await db.find_profiles(user_id=user.id)).items) == 1
            welcome = await db.find_notifications(user_id=user.id, category="welcome")
            assert [n.title for n in welcome.items] == ["Welcome to Dreamery Hub, Hub"]
            assert "Real Estate Agent" in welcome.items[0].message
