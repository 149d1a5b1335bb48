"""One `Settings` object, read from the environment and a `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SQLITE_FILE = "dreamery.db"
DEFAULT_SECRET_KEY = "dreamery-development-key-change-me-in-production"

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
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET_KEY),
        description="signs access tokens and studio sessions; 32+ random characters",
    )
    environment: Literal["development", "production"] = Field(
        default="development",
        validation_alias=AliasChoices("DREAMERY_ENV", "ENVIRONMENT"),
        description="production refuses the default SECRET_KEY and, unless allowed, SQLite",
    )
    allow_sqlite_in_production: bool = False
    debug: bool = False
    sql_echo: bool = False
    # PostgreSQL connections per process (each `dreamery serve` worker has its own pool).
    db_pool_size: int = Field(default=20, ge=1, le=500)
    db_max_overflow: int = Field(default=10, ge=0, le=500)

    # Sign-in.
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    token_issuer: str = "dreamery-hub"
    token_audience: str = "dreamery-api"
    # argon2id cost; never below OWASP's minimum (19 MiB, 2 iterations, 1 lane).
    password_memory_kib: int = Field(default=19_456, ge=19_456, le=1_048_576)
    password_iterations: int = Field(default=2, ge=2, le=20)
    self_registration: bool = Field(
        default=True, description="default for professionals signing themselves up"
    )
    admin_password: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DREAMERY_ADMIN_PASSWORD"),
        description="the first administrator's password for `make run`",
    )

    # Rate limits ("N/second|minute|hour"), per client IP and per signed-in user.
    rate_limit_per_ip: str = "600/minute"
    rate_limit_per_user: str = "600/minute"
    login_limit_per_ip: str = "30/minute"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)

    @field_validator("rate_limit_per_ip", "rate_limit_per_user", "login_limit_per_ip")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit (write e.g. 600/minute or 10/second;100/hour)"
            ) from None
        return value

    def check_production(self) -> None:
        """Refuse to serve production with settings only fit for a laptop."""
        if self.environment != "production":
            return
        from dreamery.core.errors import ConfigurationError

        key = self.secret_key.get_secret_value()
        if key == DEFAULT_SECRET_KEY or len(key) < 32:
            raise ConfigurationError(
                "SECRET_KEY",
                "production needs a secret key of 32 or more random characters, not the "
                "default (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')",
            )
        if is_sqlite(self.database_url) and not self.allow_sqlite_in_production:
            raise ConfigurationError(
                "DATABASE_URL",
                "production runs on PostgreSQL; set ALLOW_SQLITE_IN_PRODUCTION=true to "
                "serve from SQLite anyway",
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
