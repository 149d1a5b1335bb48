"""Audit hash chain: seq, prev_hash and hash on every audit row, and an append-only table.

Rows written before this revision are chained in (timestamp, id) order. The hash function is
written out here rather than imported, so this revision keeps producing the same chain whatever
later code does; it must equal `dreamery.audit.service.row_hash`.

Both databases get triggers that refuse UPDATE and DELETE on audit_logs; the one UPDATE let
through is the foreign key's SET NULL of `user_id` when a user is purged (`user_id` is not
hashed: the hashed `actor` keeps the user's id). On SQLite a later batch alteration of
audit_logs rebuilds the table and so drops its triggers: such a revision must create them again.

Revision ID: f1c56ff030fe
Revises: 102fc2b3cca8
Create Date: 2026-11-25 20:16:28.958124
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "f1c56ff030fe"
down_revision: str | None = "102fc2b3cca8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64

PG_FUNCTION = """
CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL
       AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""
PG_TRIGGER = """
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only()
"""
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


def _hash(row: sa.Row[Any], seq: int, prev_hash: str, changes: object, timestamp: datetime) -> str:
    content = [
        seq,
        row.actor,
        row.action,
        row.resource,
        row.resource_id,
        changes,
        row.ip_address,
        row.user_agent,
        row.request_id,
        timestamp.isoformat(),
        prev_hash,
    ]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _backfill() -> None:
    connection = op.get_bind()
    audit = sa.table(
        "audit_logs",
        sa.column("id", sa.Uuid()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("resource", sa.String()),
        sa.column("resource_id", sa.String()),
        sa.column("changes", sa.JSON()),
        sa.column("ip_address", sa.String()),
        sa.column("user_agent", sa.String()),
        sa.column("request_id", sa.String()),
        sa.column("timestamp", sa.DateTime(timezone=True)),
        sa.column("seq", sa.BigInteger()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    rows = connection.execute(sa.select(audit).order_by(audit.c.timestamp, audit.c.id)).all()
    prev_hash = GENESIS
    for seq, row in enumerate(rows, start=1):
        timestamp = row.timestamp
        timestamp = timestamp.replace(tzinfo=UTC) if timestamp.tzinfo is None else timestamp
        digest = _hash(row, seq, prev_hash, row.changes, timestamp.astimezone(UTC))
        connection.execute(
            sa.update(audit)
            .where(audit.c.id == row.id)
            .values(seq=seq, prev_hash=prev_hash, hash=digest)
        )
        prev_hash = digest


def upgrade() -> None:
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _backfill()
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_logs_seq"), ["seq"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_logs_append_only ON audit_logs")
        op.execute("DROP FUNCTION audit_logs_append_only()")
    else:
        op.execute("DROP TRIGGER audit_logs_no_update")
        op.execute("DROP TRIGGER audit_logs_no_delete")
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_logs_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
