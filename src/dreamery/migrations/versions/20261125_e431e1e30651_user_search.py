"""User search: users.search_text, a trigram index (PostgreSQL) or an FTS5 table (SQLite).

`search_text` holds a user's names, email, company and specialties in lower case; the users
service keeps it current. Existing users are filled in here. The DDL below is a copy of
`dreamery.users.search` at this revision, kept here so the revision never changes.

On SQLite, the FTS5 table is an external-content index over users.rowid: a later revision
that rebuilds the users table (batch mode) must run the FTS 'rebuild' command afterwards.

Revision ID: e431e1e30651
Revises: f1c56ff030fe
Create Date: 2026-11-25 20:47:10.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e431e1e30651"
down_revision: str | None = "f1c56ff030fe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS users_fts USING fts5("
    "search_text, content='users', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 2')",
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
    "INSERT INTO users_fts(users_fts) VALUES ('rebuild')",
]
POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_users_search_text_trgm ON users "
    "USING gin (search_text gin_trgm_ops)",
]
BACKFILL_POSTGRES = """
UPDATE users SET search_text = lower(concat_ws(' ', users.first_name, users.last_name,
    users.email, p.company,
    (SELECT string_agg(value, ' ') FROM jsonb_array_elements_text(p.specialties) AS value)))
FROM user_profiles AS p WHERE p.user_id = users.id
"""
BACKFILL_SQLITE = """
UPDATE users SET search_text = lower(trim(first_name || ' ' || last_name || ' ' || email || ' '
    || coalesce((SELECT coalesce(p.company, '') || ' ' || coalesce(
        (SELECT group_concat(value, ' ') FROM json_each(p.specialties)), '')
        FROM user_profiles AS p WHERE p.user_id = users.id), '')))
"""


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(
            "UPDATE users SET search_text = lower(concat_ws(' ', first_name, last_name, email))"
        )
        op.execute(BACKFILL_POSTGRES)
    else:
        op.execute(BACKFILL_SQLITE)
    for statement in POSTGRES_DDL if postgres else SQLITE_DDL:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_users_search_text_trgm")
    else:
        for trigger in ("users_fts_insert", "users_fts_delete", "users_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS users_fts")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("search_text")
    if not postgres:
        # Rebuilding the table on SQLite loses the expression index (it cannot be reflected).
        op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
