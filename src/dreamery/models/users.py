"""People: a user account and its professional profile."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dreamery.models.base import (
    UNMODELLED,
    Base,
    SoftDelete,
    Timestamps,
    Unmodelled,
    UUIDPrimaryKey,
    Versioned,
)
from dreamery.models.organizations import TenantOwned

if TYPE_CHECKING:
    from dreamery.models.catalog import UserRole


class User(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOwned, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("length(first_name) > 0", name="first_name_not_empty"),
        CheckConstraint("length(last_name) > 0", name="last_name_not_empty"),
        Index("ix_users_created_at_id", "created_at", "id"),
    )

    email: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50))
    role_id: Mapped[str] = mapped_column(
        ForeignKey("user_roles.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    last_login_at: Mapped[datetime | None] = mapped_column()
    # A role chosen at sign-up is claimed until an administrator of the user's organization
    # (or of the platform) verifies it, with the profile's license: until then the user holds
    # only what every professional holds.
    role_verified_at: Mapped[datetime | None] = mapped_column()
    role_verified_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Lower-cased names, email, company and specialties, kept current by the users service;
    # searched through a trigram index (PostgreSQL) or an FTS5 table (SQLite).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    role: Mapped[UserRole] = relationship(lazy="raise", foreign_keys=[role_id])
    profile: Mapped[UserProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# One account per address whatever its case: John@Example.com and john@example.com collide.
Index("uq_users_email_lower", func.lower(User.email), unique=True)


def search_text(
    first_name: str,
    last_name: str,
    email: str,
    company: str | None = None,
    specialties: Iterable[str] = (),
) -> str:
    """What `users.search_text` holds: the names, email, company and specialties, folded."""
    parts = [first_name, last_name, email, company or "", *specialties]
    return fold(" ".join(part.strip() for part in parts if part and part.strip()))


def fold(text_: str) -> str:
    """Lower case without accents: "Fernández" and "fernandez" are the same to a searcher."""
    decomposed = unicodedata.normalize("NFKD", text_.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The index `users.search_text` is searched through (`dreamery.users.search`): a trigram GIN
# index on PostgreSQL, an FTS5 table kept in step by triggers on SQLite. The migration that
# made them has its own copy of this DDL.
TRIGRAM_INDEX = "ix_users_search_text_trgm"
FTS_TABLE = "users_fts"
SEARCH_SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_text, content='users', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER IF NOT EXISTS users_fts_insert AFTER INSERT ON users BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.rowid, new.search_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS users_fts_delete AFTER DELETE ON users BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS users_fts_update AFTER UPDATE OF search_text ON users BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.rowid, new.search_text);
    END""",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SEARCH_POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON users USING gin (search_text gin_trgm_ops)",
]


def _install_search_index(connection: Connection) -> None:
    postgres = connection.dialect.name == "postgresql"
    for statement in SEARCH_POSTGRES_DDL if postgres else SEARCH_SQLITE_DDL:
        connection.exec_driver_sql(statement)


def _drop_search_table(connection: Connection) -> None:
    # A virtual table takes its shadow tables along; drop it before they are reflected.
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


UNMODELLED.append(
    Unmodelled(
        owns=lambda name: name.startswith(FTS_TABLE) or name == TRIGRAM_INDEX,
        install=_install_search_index,
        drop_first=_drop_search_table,
    )
)


class UserProfile(UUIDPrimaryKey, Timestamps, SoftDelete, Versioned, TenantOwned, Base):
    __tablename__ = "user_profiles"
    __table_args__ = (
        CheckConstraint("experience >= 0 AND experience <= 50", name="experience_range"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    phone: Mapped[str | None] = mapped_column(String(32))
    company: Mapped[str | None] = mapped_column(String(200))
    license_number: Mapped[str | None] = mapped_column(String(64))
    license_state: Mapped[str | None] = mapped_column(String(2))
    specialties: Mapped[list[str]] = mapped_column(default=list)
    experience: Mapped[int] = mapped_column(default=0)
    bio: Mapped[str | None] = mapped_column(Text)
    avatar: Mapped[str | None] = mapped_column(String(2048))

    user: Mapped[User] = relationship(back_populates="profile", lazy="raise")
