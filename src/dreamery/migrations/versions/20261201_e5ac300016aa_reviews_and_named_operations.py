"""Reviews of documents and compliance records, and the audit actions of named operations.

Document instances get `submitted_at` and their review (`reviewed_by`, `reviewed_at`,
`review_note`); compliance records get their latest review. The audit trail's `action` may now
name the operation done (`change_status`, `submit`, `return`, `verify`, `fail`, `resubmit`,
`mark_read`, `mark_unread`); its CHECK constraint lists them.

On SQLite, changing a CHECK constraint rebuilds audit_logs, which drops its append-only
triggers: they are created again here, as `f1c56ff030fe` made them. Downgrading refuses while
the trail holds rows with the new actions: the trail is never rewritten.

Revision ID: e5ac300016aa
Revises: 9bacda7d6e19
Create Date: 2026-12-01 22:21:17.407836
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5ac300016aa"
down_revision: str | None = "9bacda7d6e19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
]
NEW_ACTIONS = [
    "change_status",
    "submit",
    "return",
    "verify",
    "fail",
    "resubmit",
    "mark_read",
    "mark_unread",
]
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs
    BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only: DELETE refused'); END
    """,
    """
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
    )
    BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only: UPDATE refused'); END
    """,
]


def _check(actions: list[str]) -> str:
    return "action IN (" + ", ".join(f"'{action}'" for action in actions) + ")"


def _set_actions(actions: list[str], *, old_length: int, new_length: int) -> None:
    name = op.f("ck_audit_logs_action")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(name, "audit_logs", type_="check")
        op.alter_column(
            "audit_logs",
            "action",
            existing_type=sa.String(old_length),
            type_=sa.String(new_length),
            existing_nullable=False,
        )
        op.create_check_constraint(name, "audit_logs", _check(actions))
        return
    op.execute("DROP TRIGGER IF EXISTS audit_logs_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_logs_no_delete")
    with op.batch_alter_table("audit_logs", recreate="always") as batch_op:
        batch_op.drop_constraint(name, type_="check")
        batch_op.alter_column(
            "action",
            existing_type=sa.String(old_length),
            type_=sa.String(new_length),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(name, _check(actions))
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)


def _add_review(table: str, *, submitted: bool) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        if submitted:
            batch_op.add_column(
                sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True)
            )
        batch_op.add_column(sa.Column("reviewed_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f(f"ix_{table}_reviewed_by"), ["reviewed_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f(f"fk_{table}_reviewed_by_users"),
            "users",
            ["reviewed_by"],
            ["id"],
            ondelete="SET NULL",
        )


def _drop_review(table: str, *, submitted: bool) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"fk_{table}_reviewed_by_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f(f"ix_{table}_reviewed_by"))
        batch_op.drop_column("review_note")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        if submitted:
            batch_op.drop_column("submitted_at")


def upgrade() -> None:
    _set_actions(OLD_ACTIONS + NEW_ACTIONS, old_length=7, new_length=13)
    _add_review("compliance_records", submitted=False)
    _add_review("document_instances", submitted=True)


def downgrade() -> None:
    used = op.get_bind().execute(
        sa.text("SELECT count(*) FROM audit_logs WHERE " + _check(NEW_ACTIONS))
    )
    if used.scalar_one():
        raise RuntimeError(
            "the audit trail holds rows of named operations (change_status, verify, ...), "
            "which the previous schema cannot hold; the trail is never rewritten, so this "
            "database stays at this revision"
        )
    _drop_review("document_instances", submitted=True)
    _drop_review("compliance_records", submitted=False)
    _set_actions(OLD_ACTIONS, old_length=13, new_length=7)
