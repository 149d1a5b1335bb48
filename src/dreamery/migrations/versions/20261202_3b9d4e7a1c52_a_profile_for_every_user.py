"""A profile for every user: users made before profiles were created with their account get
an empty one, in their organization, dated from the account (and deleted with it when it
is deleted).

Data only; the schema does not change. Downgrading keeps the profiles (they hold nothing
that was not true before).

Revision ID: 3b9d4e7a1c52
Revises: 7c321156a90e
Create Date: 2026-12-02 16:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from uuid_utils.compat import uuid7

revision: str = "3b9d4e7a1c52"
down_revision: str | None = "7c321156a90e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000

users = sa.table(
    "users",
    sa.column("id", sa.Uuid()),
    sa.column("organization_id", sa.Uuid()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("deleted_at", sa.DateTime(timezone=True)),
)
profiles = sa.table(
    "user_profiles",
    sa.column("id", sa.Uuid()),
    sa.column("organization_id", sa.Uuid()),
    sa.column("user_id", sa.Uuid()),
    sa.column("specialties", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("experience", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("deleted_at", sa.DateTime(timezone=True)),
    sa.column("version", sa.Integer()),
)


def upgrade() -> None:
    connection = op.get_bind()
    without = connection.execute(
        sa.select(users.c.id, users.c.organization_id, users.c.created_at, users.c.deleted_at)
        .where(~sa.exists().where(profiles.c.user_id == users.c.id))
        .order_by(users.c.id)
    ).all()
    for start in range(0, len(without), BATCH):
        connection.execute(
            profiles.insert(),
            [
                {
                    "id": uuid7(),
                    "organization_id": row.organization_id,
                    "user_id": row.id,
                    "specialties": [],
                    "experience": 0,
                    "created_at": row.created_at,
                    "updated_at": row.created_at,
                    "deleted_at": row.deleted_at,
                    "version": 1,
                }
                for row in without[start : start + BATCH]
            ],
        )


def downgrade() -> None:
    pass
