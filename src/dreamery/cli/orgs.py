"""`dreamery orgs`: organizations from the command line (each command one transaction)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from dreamery.cli.app import app, console, load_settings, require_migrated, run
from dreamery.core.errors import FieldError, NotFoundError, ValidationError
from dreamery.models.enums import MembershipStatus, OrganizationKind, OrgRole

if TYPE_CHECKING:
    from dreamery import DatabaseService

orgs = typer.Typer(help="Manage organizations and their members.", no_args_is_help=True)
app.add_typer(orgs, name="orgs")


async def _organization_id(tx: DatabaseService, reference: str) -> str:
    """An organization named by its slug or its id."""
    page = await tx.find_organizations(slug=reference, limit=1)
    if page.items:
        return str(page.items[0].id)
    try:
        return str((await tx.find_organization_by_id(reference)).id)
    except NotFoundError:
        raise ValidationError(
            [FieldError("organization", f"no organization with slug or id {reference!r}")]
        ) from None


async def _create(
    name: str, kind: OrganizationKind, slug: str | None, owner: str | None, verified: bool
) -> str:
    from dreamery import DatabaseService

    url = load_settings().database_url
    await require_migrated(url)
    async with DatabaseService(url) as db, db.transaction() as tx:
        owner_id = str((await tx.find_user_by_email(owner)).id) if owner else None
        made = await tx.create_organization(
            {"name": name, "kind": kind, "slug": slug, "owner_id": owner_id}
        )
        if verified:
            made = await tx.verify_organization(made.id)
        state = "verified" if made.verified_at else "not verified yet"
        return f"Created {made.name} ({made.slug}, {made.kind}, {state})" + (
            f", owned by {owner}." if owner else ", with no owner yet."
        )


@orgs.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The organization's name.")],
    kind: Annotated[OrganizationKind, typer.Option(help="What it is.")] = OrganizationKind.OTHER,
    slug: Annotated[str | None, typer.Option(help="Its unique slug (made from the name).")] = None,
    owner: Annotated[
        str | None, typer.Option(help="Email of its first owner, who moves into it.")
    ] = None,
    verified: Annotated[
        bool, typer.Option("--verified", help="Verify it at once (its reviewers' approvals count).")
    ] = False,
) -> None:
    """Create an organization, optionally with its first owner."""
    console.print(run(_create(name, kind, slug, owner, verified)))


async def _list(kind: OrganizationKind | None, limit: int) -> Table:
    from dreamery import DatabaseService

    url = load_settings().database_url
    await require_migrated(url)
    async with DatabaseService(url) as db:
        if kind is None:
            page = await db.find_organizations(limit=limit, with_total=True)
        else:
            page = await db.find_organizations(limit=limit, with_total=True, kind=kind)
        table = Table(title=f"Organizations ({page.total})")
        for column in ("name", "slug", "kind", "members", "verified"):
            table.add_column(column)
        for organization in page.items:
            members = await db.find_memberships(
                organization_id=organization.id,
                status=MembershipStatus.ACTIVE,
                limit=1,
                with_total=True,
            )
            table.add_row(
                organization.name,
                organization.slug,
                organization.kind,
                str(members.total),
                "personal"
                if organization.is_personal
                else ("yes" if organization.verified_at else "no"),
            )
        return table


@orgs.command("list")
def list_organizations(
    kind: Annotated[OrganizationKind | None, typer.Option(help="Only this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many to show.")] = 50,
) -> None:
    """List organizations, by name."""
    console.print(run(_list(kind, limit)))


async def _add_member(reference: str, email: str, role: OrgRole) -> str:
    from dreamery import DatabaseService

    url = load_settings().database_url
    await require_migrated(url)
    async with DatabaseService(url) as db, db.transaction() as tx:
        organization_id = await _organization_id(tx, reference)
        user = await tx.find_user_by_email(email)
        membership = await tx.add_member(organization_id, user.id, org_role=role)
        return f"{email} is now a {membership.org_role} of {reference}."


@orgs.command("add-member")
def add_member(
    organization: Annotated[str, typer.Argument(help="The organization's slug or id.")],
    email: Annotated[str, typer.Argument(help="Email of the user who joins it.")],
    role: Annotated[OrgRole, typer.Option(help="Their standing in it.")] = OrgRole.MEMBER,
) -> None:
    """Move a user into an organization (their membership before is kept as history)."""
    console.print(run(_add_member(organization, email, role)))
