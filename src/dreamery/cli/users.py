"""`dreamery users`: administrator accounts and lost passwords from the command line (each
command one transaction: an administrator is made with their password, or not at all)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from dreamery import DatabaseService
    from dreamery.users.schemas import UserRead

from dreamery.cli.app import app, console, fail, load_settings, require_migrated, run
from dreamery.core.errors import NotFoundError

users = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
app.add_typer(users, name="users")

DEFAULT_ADMIN_EMAIL = "admin@example.com"
DEFAULT_ADMIN_ROLE = "real-estate-agent"


def _password(given: str | None) -> tuple[str, bool]:
    """The password to set, and whether it was generated here."""
    if given:
        return given, False
    return secrets.token_urlsafe(18), True


async def _create_admin(
    email: str, password: str, first_name: str, last_name: str, role: str
) -> str:
    from dreamery import DatabaseService
    from dreamery.auth import passwords

    settings = load_settings()
    passwords.check_policy(password, email=email, names=(first_name, last_name))
    await require_migrated(settings.database_url)
    async with DatabaseService(settings.database_url) as db, db.transaction() as tx:
        try:
            existing = await tx.find_user_by_email(email)
        except NotFoundError:
            existing = None
        if existing is not None:
            if not existing.is_admin:
                await tx.update_user(existing.id, {"is_admin": True})
            await tx.set_user_password(existing.id, password)
            return "updated"
        user = await tx.create_user(
            {
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "role_id": role,
                "is_admin": True,
            }
        )
        await tx.set_user_password(user.id, password)
        return "created"


@users.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Argument(help="The administrator's email address.")],
    first_name: Annotated[str, typer.Option(help="First name.")] = "Hub",
    last_name: Annotated[str, typer.Option(help="Last name.")] = "Administrator",
    role: Annotated[str, typer.Option(help="Professional role id from the catalogue.")] = (
        DEFAULT_ADMIN_ROLE
    ),
    password_prompt: Annotated[
        bool, typer.Option("--prompt", help="Ask for the password instead of generating one.")
    ] = False,
) -> None:
    """Create an administrator (or make an existing user one) and set their password.

    The password comes from DREAMERY_ADMIN_PASSWORD, from --prompt, or is generated and
    printed once; only its argon2id hash is stored.
    """
    settings = load_settings()
    given = settings.admin_password.get_secret_value() if settings.admin_password else None
    if password_prompt:
        given = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    password, generated = _password(given)
    outcome = run(_create_admin(email, password, first_name, last_name, role))
    console.print(f"Administrator {email} {outcome}.")
    if generated:
        console.print(f"Password (shown once, stored only hashed): [bold]{password}[/]")


@users.command("ensure-admin")
def ensure_admin(
    email: Annotated[str, typer.Option(help="Email for the first administrator.")] = (
        DEFAULT_ADMIN_EMAIL
    ),
) -> None:
    """Create the first administrator if the hub has none; say how to sign in either way."""
    run(ensure_first_admin(email))


async def ensure_first_admin(email: str = DEFAULT_ADMIN_EMAIL) -> None:
    """Create the first administrator (as `email`) if the hub has no active one, and say how
    to sign in: the generated password once, or how to set a new one."""
    from dreamery import DatabaseService

    settings = load_settings()
    await require_migrated(settings.database_url)
    async with DatabaseService(settings.database_url) as db:
        admins = await db.find_users(is_admin=True, is_active=True, limit=1)
    if admins.items:
        found = admins.items[0].email
        console.print(
            f"Sign in as {found} (the password from DREAMERY_ADMIN_PASSWORD, or the one "
            f"printed when the administrator was created; lost it? run "
            f"`dreamery users set-password {found}`).",
            soft_wrap=True,
        )
        return
    given = settings.admin_password.get_secret_value() if settings.admin_password else None
    password, generated = _password(given)
    await _create_admin(email, password, "Hub", "Administrator", DEFAULT_ADMIN_ROLE)
    console.print(f"Created the first administrator: {email}")
    if generated:
        console.print(
            f"Password (shown once, stored only hashed): [bold]{password}[/]\n"
            f"Change it after signing in (POST /auth/password); lost it? run "
            f"`dreamery users set-password {email}`.",
            soft_wrap=True,
        )
    else:
        console.print("Password: the one in DREAMERY_ADMIN_PASSWORD.")


async def _user_exists(email: str) -> None:
    from dreamery import DatabaseService

    url = load_settings().database_url
    await require_migrated(url)
    async with DatabaseService(url) as db:
        await _find(db, email)


async def _find(db: DatabaseService, email: str) -> UserRead:
    try:
        return await db.find_user_by_email(email)
    except NotFoundError:
        raise NotFoundError(f"no user with email {email!r}: check the address") from None


async def _set_password(email: str, password: str) -> None:
    from dreamery import DatabaseService

    async with DatabaseService(load_settings().database_url) as db, db.transaction() as tx:
        user = await _find(tx, email)
        await tx.set_user_password(user.id, password)


@users.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The user's email address.")],
    password_prompt: Annotated[
        bool,
        typer.Option(
            "--prompt", help="Ask for the password (twice, hidden) instead of generating one."
        ),
    ] = False,
) -> None:
    """Give a user a new password, as when theirs is lost; every session of theirs ends.

    Without --prompt a strong password is generated and printed once. The password policy
    applies either way, and the change is written to the audit trail.
    """
    run(_user_exists(email))
    if password_prompt:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
        if not password:
            fail("password: must not be empty")
        generated = False
    else:
        password, generated = _password(None)
    run(_set_password(email, password))
    console.print(f"New password set for {email}; their sessions were signed out.")
    if generated:
        console.print(f"Password (shown once, stored only hashed): [bold]{password}[/]")
