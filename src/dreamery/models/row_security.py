"""Row-level security on PostgreSQL: the database's own check that a query sees only the
acting organization's rows, under the application's filters (a second line of defence).

Every table holding an organization's data gets one policy keyed to settings the hub makes
at the start of each transaction (see `dreamery.core.db.narrow_rows`):

- `dreamery.scope`: `all` (the hub itself, platform administrators) or `tenant`;
- `dreamery.organization_id`, `dreamery.user_id`: the acting user and their organization;
- `dreamery.case_ids`: the cases they take part in.

A tenant sees its organization's rows, its user's own rows (wherever they were made), the
rows of its cases, and the rows that are everyone's (no organization). Without any setting a
query sees nothing. The directory of professionals (users, profiles) stays readable to all.
Tables are forced (`FORCE ROW LEVEL SECURITY`), so an owner without BYPASSRLS is held too.

The audit trail is left out: its hash chain is one sequence across the hub, and appending
to it reads its head. `db push` installs this like the migration that made it, which keeps
its own copy.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from dreamery.models.base import UNMODELLED, Base, Unmodelled

FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION dreamery_all() RETURNS boolean LANGUAGE sql STABLE AS
    $$ SELECT coalesce(current_setting('dreamery.scope', true), '') = 'all' $$""",
    """CREATE OR REPLACE FUNCTION dreamery_organization() RETURNS uuid LANGUAGE sql STABLE AS
    $$ SELECT nullif(current_setting('dreamery.organization_id', true), '')::uuid $$""",
    """CREATE OR REPLACE FUNCTION dreamery_user() RETURNS uuid LANGUAGE sql STABLE AS
    $$ SELECT nullif(current_setting('dreamery.user_id', true), '')::uuid $$""",
    """CREATE OR REPLACE FUNCTION dreamery_cases() RETURNS uuid[] LANGUAGE sql STABLE AS
    $$ SELECT coalesce(string_to_array(nullif(current_setting('dreamery.case_ids', true), ''),
       ',')::uuid[], '{}') $$""",
]
POLICY = "dreamery_tenant"
DIRECTORY_POLICY = "dreamery_directory"
# Read by every professional: the directory.
DIRECTORY = {"users", "user_profiles"}
LEFT_OUT = {"audit_logs"}


def tenant_tables() -> list[Table]:
    return [
        table
        for table in Base.metadata.sorted_tables
        if ("organization_id" in table.columns or table.name == "organizations")
        and table.name not in LEFT_OUT
    ]


def visibility(table: Table) -> str:
    """The condition under which a tenant sees (and may write) a row of `table`."""
    columns = table.columns
    if table.name == "organizations":
        return "dreamery_all() OR id = dreamery_organization()"
    reaches = ["dreamery_all()", "organization_id = dreamery_organization()"]
    if columns["organization_id"].nullable:
        reaches.append("organization_id IS NULL")
    if table.name == "users":
        reaches.append("id = dreamery_user()")
    if "user_id" in columns:
        reaches.append("user_id = dreamery_user()")
    if table.name == "cases":
        reaches.append("id = ANY (dreamery_cases())")
    if "case_id" in columns:
        reaches.append("case_id = ANY (dreamery_cases())")
    return " OR ".join(reaches)


def statements() -> list[str]:
    out = list(FUNCTIONS)
    for table in tenant_tables():
        name = table.name
        out += [
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {POLICY} ON {name}",
            f"CREATE POLICY {POLICY} ON {name} USING ({visibility(table)})",
        ]
        if name in DIRECTORY:
            out += [
                f"DROP POLICY IF EXISTS {DIRECTORY_POLICY} ON {name}",
                f"CREATE POLICY {DIRECTORY_POLICY} ON {name} FOR SELECT USING (true)",
            ]
    return out


def _install(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for statement in statements():
            connection.exec_driver_sql(statement)


UNMODELLED.append(
    Unmodelled(
        owns=lambda name: name.startswith("dreamery_"),
        install=_install,
        drop_first=lambda _connection: None,
    )
)
