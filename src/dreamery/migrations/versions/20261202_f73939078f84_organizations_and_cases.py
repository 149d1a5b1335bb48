"""Organizations and cases: the tenant that owns its members' work, and the deal whose
participants see what it holds.

New tables: organizations, memberships, invitations, cases, case_participants. Every table of
a tenant's data gains `organization_id`; tasks, document instances and notifications gain
`case_id`; users gain the verification of their claimed role, profiles the license's state.
The permission catalogue gains the `case` and `org` scopes and the new resources; the audit
trail the actions `accept`, `change_role`, `remove`, and the acting user's organization.

Roles lose every grant at the `any` scope but the public reads (the directory, the
catalogue): those reached the whole hub. `dreamery db seed` then grants the `case` and `org`
permissions that replace them.

Backfill, so that nothing is orphaned: every existing user gets a personal organization
whose id is their own (each table's UUIDs are unique, so the two never meet), of which they
are the owner; each row a user owns moves into that organization (`organization_id` = the
user's id), evidence into its record's. Existing accounts keep their role as verified (they
were there before roles could be claimed). Starter content stays global (NULL). Audit rows
are never rewritten: those written before this revision have no organization.

On SQLite, altering a table rebuilds it, which drops its triggers: the users' full-text
triggers and the audit trail's append-only triggers are created again here.

Revision ID: f73939078f84
Revises: e5ac300016aa
Create Date: 2026-12-02 04:04:11.552990
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f73939078f84"
down_revision: str | None = "e5ac300016aa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows of one organization (NOT NULL), and rows that may be everyone's (NULL = global).
TENANT_TABLES = [
    "users",
    "user_profiles",
    "tasks",
    "reminders",
    "notifications",
    "document_instances",
    "compliance_records",
    "compliance_evidence",
]
SHARED_TABLES = [
    "analytics_metrics",
    "analytics_dashboards",
    "workflows",
    "document_templates",
    "compliance_requirements",
]
CASE_TABLES = ["tasks", "document_instances", "notifications"]
# Which user's organization a row moves into.
OWNER_COLUMN = {
    "users": "id",
    "user_profiles": "user_id",
    "tasks": "user_id",
    "reminders": "user_id",
    "notifications": "user_id",
    "document_instances": "user_id",
    "compliance_records": "user_id",
    "analytics_metrics": "user_id",
}
# What a personal organization is, from its owner's professional category.
KIND_BY_CATEGORY = {
    "acquisition-disposition": "brokerage",
    "title-escrow": "title-escrow",
    "lending-financing": "lender",
    "legal-services": "law-firm",
    "construction-renovation": "contractor",
    "maintenance-services": "contractor",
    "property-management": "property-manager",
    "appraisal-inspection": "appraisal",
}

OLD_RESOURCES = [
    "user",
    "profile",
    "category",
    "role",
    "permission",
    "role_permission",
    "workflow",
    "document_template",
    "document_instance",
    "compliance_requirement",
    "compliance_record",
    "metric",
    "dashboard",
    "task",
    "reminder",
    "notification",
    "audit_log",
]
NEW_RESOURCES = ["organization", "membership", "invitation", "case"]
OLD_SCOPES = ["own", "any"]
NEW_SCOPES = ["case", "org"]
OLD_ACTIONS = [
    "create",
    "update",
    "delete",
    "restore",
    "purge",
    "approve",
    "denied",
    "login",
    "seed",
    "change_status",
    "submit",
    "return",
    "verify",
    "fail",
    "resubmit",
    "mark_read",
    "mark_unread",
]
NEW_ACTIONS = ["accept", "change_role", "remove"]

USERS_FTS_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS users_fts_insert AFTER INSERT ON users BEGIN
        INSERT INTO users_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS users_fts_delete AFTER DELETE ON users BEGIN
        INSERT INTO users_fts(users_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS users_fts_update AFTER UPDATE OF search_text ON users BEGIN
        INSERT INTO users_fts(users_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO users_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
    END""",
    # The rebuild gave the rows new rowids: index them again.
    "INSERT INTO users_fts(users_fts) VALUES ('rebuild')",
    # A rebuild keeps the indexes it can reflect, which an expression index is not.
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_users_email_lower ON users (lower(email))",
]


def _audit_triggers(with_organization: bool) -> list[str]:
    organization = "AND NEW.organization_id IS OLD.organization_id" if with_organization else ""
    return [
        """
        CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs
        BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only: DELETE refused'); END
        """,
        f"""
        CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs
        WHEN NOT (
            NEW.user_id IS NULL
            AND NEW.id IS OLD.id AND NEW.seq IS OLD.seq AND NEW.actor IS OLD.actor
            AND NEW.action IS OLD.action AND NEW.resource IS OLD.resource
            AND NEW.resource_id IS OLD.resource_id AND NEW.changes IS OLD.changes
            AND NEW.ip_address IS OLD.ip_address AND NEW.user_agent IS OLD.user_agent
            AND NEW.request_id IS OLD.request_id AND NEW.timestamp IS OLD.timestamp
            AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
            AND NEW.created_at IS OLD.created_at AND NEW.updated_at IS OLD.updated_at
            {organization}
        )
        BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only: UPDATE refused'); END
        """,
    ]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _create_tables() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "brokerage",
                "title-escrow",
                "lender",
                "law-firm",
                "contractor",
                "property-manager",
                "appraisal",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("is_personal", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("website", sa.String(length=2048), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("license_number", sa.String(length=64), nullable=True),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizations_slug")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "purchase",
                "sale",
                "lease",
                "refinance",
                "inspection",
                "appraisal",
                "renovation",
                "exchange",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "on_hold",
                "closed",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("parcel_number", sa.String(length=64), nullable=True),
        sa.Column("mls_number", sa.String(length=64), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_cases_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_cases_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_created_by"), ["created_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_cases_organization_id_status", ["organization_id", "status"], unique=False
        )

    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "org_role",
            sa.Enum(
                "owner",
                "admin",
                "reviewer",
                "member",
                name="org_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by"],
            ["users.id"],
            name=op.f("fk_invitations_accepted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_invitations_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invitations_organization_id_email", ["organization_id", "email"], unique=False
        )

    op.create_table(
        "memberships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column(
            "org_role",
            sa.Enum(
                "owner",
                "admin",
                "reviewer",
                "member",
                name="org_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "invited",
                "active",
                "removed",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_memberships_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_memberships_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_memberships_organization_id_status", ["organization_id", "status"], unique=False
        )
        batch_op.create_index(
            "uq_memberships_active_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "case_participants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "case_role",
            sa.Enum(
                "listing_agent",
                "buyers_agent",
                "transaction_coordinator",
                "lender",
                "loan_officer",
                "appraiser",
                "inspector",
                "title_officer",
                "escrow_officer",
                "attorney",
                "contractor",
                "property_manager",
                "client",
                "other",
                name="case_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("added_by", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["users.id"],
            name=op.f("fk_case_participants_added_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_participants_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_case_participants_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_case_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_participants")),
        sa.UniqueConstraint(
            "case_id", "user_id", name=op.f("uq_case_participants_case_id_user_id")
        ),
    )
    with op.batch_alter_table("case_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_participants_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_case_participants_user_id_case_id", ["user_id", "case_id"], unique=False
        )


def _add_columns() -> None:
    for table in TENANT_TABLES + SHARED_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("organization_id", sa.Uuid(), nullable=True))
    for table in CASE_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("case_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("role_verified_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("role_verified_by", sa.Uuid(), nullable=True))
    with op.batch_alter_table("user_profiles") as batch_op:
        batch_op.add_column(sa.Column("license_state", sa.String(length=2), nullable=True))


def _backfill() -> None:
    users = sa.table(
        "users",
        sa.column("id", sa.Uuid()),
        sa.column("first_name", sa.String()),
        sa.column("last_name", sa.String()),
        sa.column("role_id", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("organization_id", sa.Uuid()),
        sa.column("role_verified_at", sa.DateTime(timezone=True)),
    )
    roles = sa.table("user_roles", sa.column("id", sa.String()), sa.column("category_id"))
    organizations = sa.table(
        "organizations",
        sa.column("id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("slug", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("is_personal", sa.Boolean()),
        sa.column("settings", sa.JSON()),
        sa.column("version", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    memberships = sa.table(
        "memberships",
        sa.column("id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("organization_id", sa.Uuid()),
        sa.column("org_role", sa.String()),
        sa.column("status", sa.String()),
        sa.column("joined_at", sa.DateTime(timezone=True)),
        sa.column("version", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    hex_id = sa.func.replace(sa.cast(users.c.id, sa.String()), "-", "")
    kind = sa.case(
        *((roles.c.category_id == category, kind) for category, kind in KIND_BY_CATEGORY.items()),
        else_="other",
    )
    op.execute(
        organizations.insert().from_select(
            [
                "id",
                "name",
                "slug",
                "kind",
                "is_personal",
                "settings",
                "version",
                "created_at",
                "updated_at",
            ],
            sa.select(
                users.c.id,
                sa.func.substr(users.c.first_name + " " + users.c.last_name, 1, 200),
                sa.literal("personal-") + hex_id,
                kind,
                sa.true(),
                sa.literal("{}").cast(sa.JSON()) if not _sqlite() else sa.literal("{}"),
                sa.literal(1),
                users.c.created_at,
                users.c.created_at,
            ).select_from(users.join(roles, roles.c.id == users.c.role_id)),
        )
    )
    op.execute(
        memberships.insert().from_select(
            [
                "id",
                "user_id",
                "organization_id",
                "org_role",
                "status",
                "joined_at",
                "version",
                "created_at",
                "updated_at",
            ],
            sa.select(
                users.c.id,
                users.c.id,
                users.c.id,
                sa.literal("owner"),
                sa.literal("active"),
                users.c.created_at,
                sa.literal(1),
                users.c.created_at,
                users.c.created_at,
            ),
        )
    )
    op.execute(
        users.update().values(organization_id=users.c.id, role_verified_at=users.c.created_at)
    )
    for table, column in OWNER_COLUMN.items():
        if table != "users":
            op.execute(f"UPDATE {table} SET organization_id = {column}")
    op.execute(
        "UPDATE compliance_evidence SET organization_id = (SELECT r.organization_id "
        "FROM compliance_records r WHERE r.id = compliance_evidence.record_id)"
    )


# The reads that stay public at the `any` scope; every other `any` grant a role held reached
# the whole hub, and is withdrawn here rather than at the next `db seed` (which grants the
# `case` and `org` permissions that replace them).
PUBLIC_GRANTS = ["user:read:any", "profile:read:any", "category:read:any", "role:read:any"]


def _withdraw_hub_wide_grants() -> None:
    op.execute(
        "DELETE FROM role_permissions WHERE permission_id IN (SELECT id FROM permissions "
        "WHERE scope = 'any' AND NOT " + _in("name", PUBLIC_GRANTS) + ")"
    )


def _constrain() -> None:
    """NOT NULL, an index and a foreign key on every organization_id; foreign keys and
    indexes for case_id and the role's verifier."""
    if _sqlite():
        for name in ("users_fts_insert", "users_fts_delete", "users_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in TENANT_TABLES + SHARED_TABLES:
        with op.batch_alter_table(table) as batch_op:
            if table in TENANT_TABLES:
                batch_op.alter_column("organization_id", existing_type=sa.Uuid(), nullable=False)
            batch_op.create_index(
                batch_op.f(f"ix_{table}_organization_id"), ["organization_id"], unique=False
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_organization_id_organizations"),
                "organizations",
                ["organization_id"],
                ["id"],
                ondelete="RESTRICT",
            )
            if table in CASE_TABLES:
                batch_op.create_index(batch_op.f(f"ix_{table}_case_id"), ["case_id"], unique=False)
                batch_op.create_foreign_key(
                    batch_op.f(f"fk_{table}_case_id_cases"),
                    "cases",
                    ["case_id"],
                    ["id"],
                    ondelete="SET NULL",
                )
            if table == "users":
                batch_op.create_foreign_key(
                    batch_op.f("fk_users_role_verified_by_users"),
                    "users",
                    ["role_verified_by"],
                    ["id"],
                    ondelete="SET NULL",
                )
    if _sqlite():
        for statement in USERS_FTS_TRIGGERS:
            op.execute(statement)


def _set_checks(resources: list[str], scopes: list[str], actions: list[str]) -> None:
    """The CHECK constraints that list the permission vocabulary and the audit actions."""
    scope_length = max(len(scope) for scope in scopes)
    if not _sqlite():
        op.drop_constraint(op.f("ck_permissions_resource"), "permissions", type_="check")
        op.drop_constraint(op.f("ck_permissions_scope"), "permissions", type_="check")
        op.alter_column(
            "permissions",
            "scope",
            existing_type=sa.String(),
            type_=sa.String(scope_length),
            existing_nullable=False,
        )
        op.create_check_constraint(
            op.f("ck_permissions_resource"), "permissions", _in("resource", resources)
        )
        op.create_check_constraint(
            op.f("ck_permissions_scope"), "permissions", _in("scope", scopes)
        )
        op.drop_constraint(op.f("ck_audit_logs_action"), "audit_logs", type_="check")
        op.create_check_constraint(
            op.f("ck_audit_logs_action"), "audit_logs", _in("action", actions)
        )
        return
    with op.batch_alter_table("permissions", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_permissions_resource"), type_="check")
        batch_op.drop_constraint(op.f("ck_permissions_scope"), type_="check")
        batch_op.alter_column(
            "scope",
            existing_type=sa.String(),
            type_=sa.String(scope_length),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            op.f("ck_permissions_resource"), _in("resource", resources)
        )
        batch_op.create_check_constraint(op.f("ck_permissions_scope"), _in("scope", scopes))


def _audit_trail(*, organization: bool, actions: list[str]) -> None:
    """The audit trail's organization column, and (SQLite) its rebuilt table's triggers."""
    if not _sqlite():
        if organization:
            op.add_column("audit_logs", sa.Column("organization_id", sa.Uuid(), nullable=True))
            op.create_index(
                op.f("ix_audit_logs_organization_id"), "audit_logs", ["organization_id"]
            )
        else:
            op.drop_index(op.f("ix_audit_logs_organization_id"), "audit_logs")
            op.drop_column("audit_logs", "organization_id")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_logs_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_logs_no_delete")
    with op.batch_alter_table("audit_logs", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_logs_action"), type_="check")
        batch_op.create_check_constraint(op.f("ck_audit_logs_action"), _in("action", actions))
        if organization:
            batch_op.add_column(sa.Column("organization_id", sa.Uuid(), nullable=True))
            batch_op.create_index(op.f("ix_audit_logs_organization_id"), ["organization_id"])
        else:
            batch_op.drop_index(op.f("ix_audit_logs_organization_id"))
            batch_op.drop_column("organization_id")
    for trigger in _audit_triggers(organization):
        op.execute(trigger)


def upgrade() -> None:
    _create_tables()
    _add_columns()
    _backfill()
    _withdraw_hub_wide_grants()
    _constrain()
    _set_checks(OLD_RESOURCES + NEW_RESOURCES, OLD_SCOPES + NEW_SCOPES, OLD_ACTIONS + NEW_ACTIONS)
    _audit_trail(organization=True, actions=OLD_ACTIONS + NEW_ACTIONS)


def downgrade() -> None:
    bind = op.get_bind()
    blockers = {
        "organizations that are not someone's personal one": (
            "SELECT count(*) FROM organizations WHERE NOT is_personal"
        ),
        "cases": "SELECT count(*) FROM cases",
        "audit rows of the new actions": "SELECT count(*) FROM audit_logs WHERE "
        + _in("action", NEW_ACTIONS),
        "permissions at the case or org scope": "SELECT count(*) FROM permissions WHERE "
        + _in("scope", NEW_SCOPES),
        "members of another's organization": (
            "SELECT count(*) FROM users WHERE organization_id <> id"
        ),
    }
    held = [what for what, query in blockers.items() if bind.execute(sa.text(query)).scalar_one()]
    if held:
        raise RuntimeError(
            "the database holds " + ", ".join(held) + ", which the previous schema cannot "
            "hold; it stays at this revision"
        )
    _audit_trail(organization=False, actions=OLD_ACTIONS)
    _set_checks(OLD_RESOURCES, OLD_SCOPES, OLD_ACTIONS)
    if _sqlite():
        for name in ("users_fts_insert", "users_fts_delete", "users_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in TENANT_TABLES + SHARED_TABLES:
        with op.batch_alter_table(table) as batch_op:
            if table == "users":
                batch_op.drop_constraint(
                    batch_op.f("fk_users_role_verified_by_users"), type_="foreignkey"
                )
                batch_op.drop_column("role_verified_by")
                batch_op.drop_column("role_verified_at")
            if table in CASE_TABLES:
                batch_op.drop_constraint(
                    batch_op.f(f"fk_{table}_case_id_cases"), type_="foreignkey"
                )
                batch_op.drop_index(batch_op.f(f"ix_{table}_case_id"))
                batch_op.drop_column("case_id")
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_organization_id_organizations"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_organization_id"))
            batch_op.drop_column("organization_id")
            if table == "user_profiles":
                batch_op.drop_column("license_state")
    if _sqlite():
        for statement in USERS_FTS_TRIGGERS:
            op.execute(statement)
    for table in ("case_participants", "memberships", "invitations", "cases", "organizations"):
        op.drop_table(table)
