"""Workflow runs: a workflow executed on a case, step by step.

- `workflow_versions`: a definition as runs started on it (immutable);
- `workflow_runs`, `step_runs`: a run on a case and where each of its steps stands;
- `run_events`: each run's append-only log;
- `case_key_dates`: the dates a case's deadlines count from;
- `workflow_steps` gains what doing a step means (kind, required, case role, due rule, the
  template of a document step, the key date of a milestone) and loses `status`, which was a
  run's progress stored on the definition every case shares. Steps with rules or required
  fields become `data` steps, the others `task` steps.

The new tables get the tenant row-security policy on PostgreSQL. Downgrading refuses while
runs or key dates exist; otherwise every step gets back a `pending` status.

Revision ID: 030bb50628ca
Revises: 3b9d4e7a1c52
Create Date: 2026-12-02 22:59:24.127041
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "030bb50628ca"
down_revision: str | None = "3b9d4e7a1c52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TENANT_TABLES = {
    "workflow_versions": "dreamery_all() OR organization_id = dreamery_organization() "
    "OR organization_id IS NULL",
    "case_key_dates": "dreamery_all() OR organization_id = dreamery_organization() "
    "OR case_id = ANY (dreamery_cases())",
    "workflow_runs": "dreamery_all() OR organization_id = dreamery_organization() "
    "OR case_id = ANY (dreamery_cases())",
    "step_runs": "dreamery_all() OR organization_id = dreamery_organization() "
    "OR case_id = ANY (dreamery_cases())",
    "run_events": "dreamery_all() OR organization_id = dreamery_organization() "
    "OR case_id = ANY (dreamery_cases())",
}


def _backfill_kinds() -> None:
    """A step that asks for fields or has rules was a data step; the others are tasks."""
    op.execute(
        "UPDATE workflow_steps SET kind = 'data' WHERE EXISTS "
        "(SELECT 1 FROM validation_rules WHERE validation_rules.step_id = workflow_steps.id)"
    )
    empty = "'[]'::jsonb" if op.get_bind().dialect.name == "postgresql" else "'[]'"
    op.execute(
        f"UPDATE workflow_steps SET kind = 'data' WHERE required_fields IS NOT NULL "
        f"AND required_fields <> {empty}"
    )


def _row_security(*, install: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, visible in TENANT_TABLES.items():
        if install:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY dreamery_tenant ON {table} USING ({visible})")
        else:
            op.execute(f"DROP POLICY IF EXISTS dreamery_tenant ON {table}")


def _refuse_to_lose_runs() -> None:
    bind = op.get_bind()
    held = [
        what
        for what, table in (
            ("workflow runs", "workflow_runs"),
            ("case key dates", "case_key_dates"),
        )
        if bind.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    ]
    if held:
        raise RuntimeError(
            "the database holds " + " and ".join(held) + ", which the previous schema cannot "
            "hold; it stays at this revision"
        )


def upgrade() -> None:
    _create_tables()
    _step_columns()
    _backfill_kinds()
    with op.batch_alter_table("workflow_steps") as batch_op:
        batch_op.drop_constraint(op.f("ck_workflow_steps_status"), type_="check")
        batch_op.drop_column("status")
    _row_security(install=True)


def _create_tables() -> None:
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "steps",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_workflow_versions_number_positive")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_workflow_versions_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_versions_workflow_id_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_versions")),
        sa.UniqueConstraint(
            "workflow_id", "number", name=op.f("uq_workflow_versions_workflow_id_number")
        ),
    )
    with op.batch_alter_table("workflow_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_versions_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "case_key_dates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("falls_on", sa.Date(), nullable=False),
        sa.Column("set_by", sa.Uuid(), nullable=True),
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
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_key_dates_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_case_key_dates_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["set_by"],
            ["users.id"],
            name=op.f("fk_case_key_dates_set_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_key_dates")),
        sa.UniqueConstraint("case_id", "name", name=op.f("uq_case_key_dates_case_id_name")),
    )
    with op.batch_alter_table("case_key_dates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_key_dates_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "workflow_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_version_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "completed",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("started_by", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
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
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_workflow_runs_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_workflow_runs_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_workflow_runs_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["started_by"],
            ["users.id"],
            name=op.f("fk_workflow_runs_started_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_runs_workflow_id_workflows"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_workflow_runs_workflow_version_id_workflow_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_runs")),
    )
    with op.batch_alter_table("workflow_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_runs_case_id_status", ["case_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_runs_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_workflow_runs_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workflow_runs_workflow_id"), ["workflow_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_runs_workflow_version_id"),
            ["workflow_version_id"],
            unique=False,
        )

    op.create_table(
        "run_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "started",
                "unblocked",
                "blocked",
                "assigned",
                "begun",
                "submitted",
                "completed",
                "skipped",
                "reopened",
                "approved",
                "returned",
                "due_moved",
                "upgraded",
                "run_completed",
                "cancelled",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("step_key", sa.String(length=36), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_run_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_run_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_run_events_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["workflow_runs.id"],
            name=op.f("fk_run_events_run_id_workflow_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_events")),
        sa.UniqueConstraint("run_id", "sequence", name=op.f("uq_run_events_run_id_sequence")),
    )
    with op.batch_alter_table("run_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_run_events_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "step_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("step_key", sa.String(length=36), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "task",
                "data",
                "document",
                "approval",
                "milestone",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "blocked",
                "ready",
                "in_progress",
                "done",
                "skipped",
                "returned",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.Uuid(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("skip_reason", sa.String(length=500), nullable=True),
        sa.Column("review_note", sa.String(length=1000), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
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
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_step_runs_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_step_runs_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["completed_by"],
            ["users.id"],
            name=op.f("fk_step_runs_completed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document_instances.id"],
            name=op.f("fk_step_runs_document_id_document_instances"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_step_runs_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["workflow_runs.id"],
            name=op.f("fk_step_runs_run_id_workflow_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["users.id"],
            name=op.f("fk_step_runs_submitted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_step_runs_task_id_tasks"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_runs")),
        sa.UniqueConstraint("run_id", "step_key", name=op.f("uq_step_runs_run_id_step_key")),
    )
    with op.batch_alter_table("step_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_step_runs_assignee_id_status_due_on",
            ["assignee_id", "status", "due_on"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_step_runs_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_step_runs_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_step_runs_task_id"), ["task_id"], unique=False)


def _step_columns() -> None:
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "default_for",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default=sa.text("'[]'"),
                nullable=False,
            )
        )
    with op.batch_alter_table("workflow_steps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "task",
                    "data",
                    "document",
                    "approval",
                    "milestone",
                    name="kind",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="task",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("is_required", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
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
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "due_rule",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("template_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("key_date", sa.String(length=50), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_workflow_steps_template_id_document_templates"),
            "document_templates",
            ["template_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    _refuse_to_lose_runs()
    _row_security(install=False)
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.drop_column("default_for")
    with op.batch_alter_table("workflow_steps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.VARCHAR(length=11), server_default="pending", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_workflow_steps_status"),
            "status IN ('pending', 'in_progress', 'completed', 'skipped', 'failed')",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_workflow_steps_template_id_document_templates"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("ck_workflow_steps_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_workflow_steps_case_role"), type_="check")
        batch_op.drop_column("key_date")
        batch_op.drop_column("template_id")
        batch_op.drop_column("due_rule")
        batch_op.drop_column("case_role")
        batch_op.drop_column("is_required")
        batch_op.drop_column("kind")

    with op.batch_alter_table("step_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_runs_task_id"))
        batch_op.drop_index(batch_op.f("ix_step_runs_organization_id"))
        batch_op.drop_index(batch_op.f("ix_step_runs_case_id"))
        batch_op.drop_index("ix_step_runs_assignee_id_status_due_on")

    op.drop_table("step_runs")
    with op.batch_alter_table("run_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_events_organization_id"))
        batch_op.drop_index(batch_op.f("ix_run_events_case_id"))

    op.drop_table("run_events")
    with op.batch_alter_table("workflow_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_runs_workflow_version_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_runs_workflow_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_runs_owner_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_runs_organization_id"))
        batch_op.drop_index("ix_workflow_runs_case_id_status")

    op.drop_table("workflow_runs")
    with op.batch_alter_table("case_key_dates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_key_dates_organization_id"))

    op.drop_table("case_key_dates")
    with op.batch_alter_table("workflow_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_versions_organization_id"))

    op.drop_table("workflow_versions")
