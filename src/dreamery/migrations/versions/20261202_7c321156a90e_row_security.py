"""Row-level security on PostgreSQL: every table of an organization's data is held to the
acting organization, its user's own rows, its cases, and what is everyone's.

The hub sets `dreamery.scope` (`all` or `tenant`), `dreamery.organization_id`,
`dreamery.user_id` and `dreamery.case_ids` at the start of each transaction; without them a
query sees nothing. Tables are forced, so an owner without BYPASSRLS is held as well. The
directory (users, profiles) stays readable by all; the audit trail is left out (its hash
chain is one sequence across the hub). SQLite has no row security: nothing changes there.

This is a copy of `dreamery.models.row_security` as it stood at this revision.

Revision ID: 7c321156a90e
Revises: f73939078f84
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c321156a90e"
down_revision: str | None = "f73939078f84"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
POLICIES = [
    ("organizations", "dreamery_all() OR id = dreamery_organization()"),
    (
        "analytics_dashboards",
        "dreamery_all() OR organization_id = dreamery_organization() OR organization_id IS NULL",
    ),
    (
        "compliance_requirements",
        "dreamery_all() OR organization_id = dreamery_organization() OR organization_id IS NULL",
    ),
    (
        "document_templates",
        "dreamery_all() OR organization_id = dreamery_organization() OR organization_id IS NULL",
    ),
    (
        "users",
        "dreamery_all() OR organization_id = dreamery_organization() OR id = dreamery_user()",
    ),
    (
        "workflows",
        "dreamery_all() OR organization_id = dreamery_organization() OR organization_id IS NULL",
    ),
    (
        "analytics_metrics",
        "dreamery_all() OR organization_id = dreamery_organization() OR organization_id IS NULL OR user_id = dreamery_user()",
    ),
    (
        "cases",
        "dreamery_all() OR organization_id = dreamery_organization() OR id = ANY (dreamery_cases())",
    ),
    (
        "compliance_records",
        "dreamery_all() OR organization_id = dreamery_organization() OR user_id = dreamery_user()",
    ),
    ("invitations", "dreamery_all() OR organization_id = dreamery_organization()"),
    (
        "memberships",
        "dreamery_all() OR organization_id = dreamery_organization() OR user_id = dreamery_user()",
    ),
    (
        "user_profiles",
        "dreamery_all() OR organization_id = dreamery_organization() OR user_id = dreamery_user()",
    ),
    (
        "case_participants",
        "dreamery_all() OR organization_id = dreamery_organization() OR user_id = dreamery_user() OR case_id = ANY (dreamery_cases())",
    ),
    ("compliance_evidence", "dreamery_all() OR organization_id = dreamery_organization()"),
    (
        "document_instances",
        "dreamery_all() OR organization_id = dreamery_organization() OR user_id = dreamery_user() OR case_id = ANY (dreamery_cases())",
    ),
    (
        "notifications",
        "dreamery_all() OR organization_id = dreamery_organization() OR user_id = dreamery_user() OR case_id = ANY (dreamery_cases())",
    ),
    (
        "tasks",
        "dreamery_all() OR organization_id = dreamery_organization() OR user_id = dreamery_user() OR case_id = ANY (dreamery_cases())",
    ),
    (
        "reminders",
        "dreamery_all() OR organization_id = dreamery_organization() OR user_id = dreamery_user()",
    ),
]
DIRECTORY = ["users", "user_profiles"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for function in FUNCTIONS:
        op.execute(function)
    for table, visible in POLICIES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY dreamery_tenant ON {table} USING ({visible})")
    for table in DIRECTORY:
        op.execute(f"CREATE POLICY dreamery_directory ON {table} FOR SELECT USING (true)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in DIRECTORY:
        op.execute(f"DROP POLICY IF EXISTS dreamery_directory ON {table}")
    for table, _ in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS dreamery_tenant ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for name in ("dreamery_all", "dreamery_organization", "dreamery_user", "dreamery_cases"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
