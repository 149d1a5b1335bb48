"""One `Settings` object, read from the environment and a `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SQLITE_FILE = "dreamery.db"
DEFAULT_SECRET_KEY = "change-me-in-production"

_ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
}


class DatabaseURLError(ValueError):
    """A `DATABASE_URL` that names no database we can drive."""


def normalize_database_url(raw: str) -> str:
    """Turn the URL a user writes into the async SQLAlchemy URL we connect with.

    Accepts `postgresql://...` (and `postgres://`), `sqlite:///path.db`, `sqlite://` (memory)
    and the Prisma-style `file:./dev.db`; picks asyncpg or aiosqlite.
    """
    text = raw.strip()
    if not text:
        raise DatabaseURLError("DATABASE_URL is empty")
    if text.startswith("file:"):
        path = text.removeprefix("file:")
        if path.startswith("//"):
            path = path.removeprefix("//")
        if not path:
            raise DatabaseURLError("DATABASE_URL 'file:' names no file (write file:./dev.db)")
        return f"sqlite+aiosqlite:///{path}"
    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseURLError(
            f"DATABASE_URL {mask_url(text)!r} is not a database URL "
            "(write postgresql://user:pass@host:5432/db, sqlite:///path.db or file:./dev.db)"
        ) from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise DatabaseURLError(
            f"DATABASE_URL uses {url.drivername!r}; Dreamery runs on PostgreSQL or SQLite"
        )
    url = url.set(drivername=driver)
    if driver.startswith("postgresql") and not url.database:
        raise DatabaseURLError("DATABASE_URL names no PostgreSQL database (add /dbname)")
    return url.render_as_string(hide_password=False)


def mask_url(raw: str | URL) -> str:
    """The URL with its password replaced by ***, safe to print."""
    try:
        url = raw if isinstance(raw, URL) else make_url(raw)
    except ArgumentError:
        return "<unparseable URL>"
    return url.render_as_string(hide_password=True)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"


DatabaseURL = Annotated[str, AfterValidator(normalize_database_url)]


class Settings(BaseSettings):
    """Everything configurable about the hub; see `env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: DatabaseURL = Field(
        default_factory=_default_database_url,
        description="postgresql://…, sqlite:///path.db or file:./dev.db",
    )
    redis_url: str | None = Field(default=None, description="redis://host:6379/0 (optional)")
    secret_key: SecretStr = Field(default=SecretStr(DEFAULT_SECRET_KEY))
    debug: bool = False
    sql_echo: bool = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
