"""One `Settings` object, read from the environment and a `.env` file."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SQLITE_FILE = "dreamery.db"
SECRET_KEY_FILE = ".dreamery-secret-key"
MIN_SECRET_BYTES = 32
logger = logging.getLogger(__name__)
_KEYS: dict[Path, str] = {}

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


URL_EXAMPLES = (
    "postgresql+asyncpg://user:password@host:5432/db, sqlite+aiosqlite:///path/to/dreamery.db "
    "or file:./dev.db"
)


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
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseURLError(
            f"DATABASE_URL {mask_url(text)!r} is not a database URL: expected e.g. {URL_EXAMPLES}"
        ) from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise DatabaseURLError(
            f"DATABASE_URL {mask_url(text)!r} uses {url.drivername!r}; Dreamery runs on "
            f"PostgreSQL or SQLite: expected e.g. {URL_EXAMPLES}"
        )
    url = url.set(drivername=driver)
    if driver.startswith("postgresql") and not url.database:
        raise DatabaseURLError(
            f"DATABASE_URL {mask_url(text)!r} names no PostgreSQL database (add /dbname)"
        )
    return url.render_as_string(hide_password=False)


def mask_url(raw: str | URL) -> str:
    """The URL with its password replaced by ***, safe to print; a text that is not a URL
    is masked where a password would stand (`user:***@host`)."""
    try:
        url = raw if isinstance(raw, URL) else make_url(raw)
    except (ArgumentError, ValueError):
        return _mask_text(str(raw))
    return url.render_as_string(hide_password=True)


def _mask_text(text: str) -> str:
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    credentials, at, host = rest.rpartition("@")
    if at and ":" in credentials:
        user = credentials.split(":", 1)[0]
        rest = f"{user}:***@{host}"
    return f"{scheme}{separator}{rest}"


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
    migration_database_url: DatabaseURL | None = Field(
        default=None,
        description="the owner of the tables, for `dreamery db …` (migrate, seed, reset...); "
        "DATABASE_URL is then the application's role, which does not own them",
    )
    row_security: bool | None = Field(
        default=None,
        description="PostgreSQL: hold each transaction of a signed-in user to their "
        "organization's rows in the database too; default: on when MIGRATION_DATABASE_URL "
        "is set (the application's role is then subject to row-level security)",
    )
    redis_url: str | None = Field(default=None, description="redis://host:6379/0 (optional)")
    secret_key: SecretStr | None = Field(
        default=None,
        description="signs access tokens, studio sessions and list cursors; 32+ random "
        "characters. Unset in development: one is made on first start and kept in "
        "SECRET_KEY_FILE",
    )
    secret_key_file: Path | None = Field(
        default=None,
        description="where the development key is kept (mode 0600); default: beside the "
        "SQLite database, or in the working folder",
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
    # Seconds: to connect to PostgreSQL (a server that never answers is given up on), and for
    # one statement of a request (0: no limit). Migrations are not held to the latter.
    db_connect_timeout: float = Field(default=5, gt=0, le=300)
    db_statement_timeout: float = Field(default=30, ge=0, le=3600)

    @property
    def uses_row_security(self) -> bool:
        if self.row_security is not None:
            return self.row_security
        return self.migration_database_url is not None

    @property
    def owner_database_url(self) -> str:
        """The URL the database's life cycle runs as (migrations, seeding, backups)."""
        return self.migration_database_url or self.database_url

    # Sign-in.
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # The studio signs out an administrator idle this long, and any after 8 hours.
    studio_idle_minutes: int = Field(default=30, ge=1, le=8 * 60)
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
    # Sign-in from one address: a generous ceiling on attempts (an office signs in all day),
    # and a tighter one on failures, whichever accounts they were for.
    login_limit_per_ip: str = "300/minute"
    login_failures_per_ip: str = "30/10 minutes"
    register_limit_per_ip: str = "20/hour"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Where users reach the hub (https://hub.example.com): the studio accepts forms only
    # from this origin. Required in production.
    public_url: str | None = None
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated
    # addresses or networks (10.0.0.0/8), or "*". Unset, the peer's own address counts.
    forwarded_allow_ips: str = ""

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value.strip())
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
        ):
            raise ValueError(
                f"{value!r} is not the address of the hub (write e.g. https://hub.example.com)"
            )
        return value.strip().rstrip("/")

    @field_validator(
        "rate_limit_per_ip",
        "rate_limit_per_user",
        "login_limit_per_ip",
        "login_failures_per_ip",
        "register_limit_per_ip",
    )
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

    def signing_key(self) -> str:
        """The key that signs access tokens, studio sessions and list cursors.

        SECRET_KEY when set. Otherwise, outside production, a random key made on first start
        and kept in a file only its owner may read (beside the SQLite database, or in the
        working folder), the way Django's startproject and Jupyter keep theirs: no key ships
        with the code, so nobody who has read the source can sign for this hub.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.environment == "production":
            from dreamery.core.errors import ConfigurationError

            raise ConfigurationError("SECRET_KEY", _NEED_A_KEY)
        return _development_key(self.key_file())

    def key_file(self) -> Path:
        if self.secret_key_file is not None:
            return self.secret_key_file.expanduser().resolve()
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).expanduser().resolve().parent / SECRET_KEY_FILE
        return Path.cwd() / SECRET_KEY_FILE

    def check_production(self) -> None:
        """Refuse to serve production with settings only fit for a laptop."""
        if self.environment != "production":
            return
        from dreamery.core.errors import ConfigurationError

        key = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if len(key.encode()) < MIN_SECRET_BYTES:
            raise ConfigurationError("SECRET_KEY", _NEED_A_KEY)
        if is_sqlite(self.database_url) and not self.allow_sqlite_in_production:
            raise ConfigurationError(
                "DATABASE_URL",
                "production runs on PostgreSQL; set ALLOW_SQLITE_IN_PRODUCTION=true to "
                "serve from SQLite anyway",
            )
        if not self.public_url:
            raise ConfigurationError(
                "PUBLIC_URL",
                "production needs the address users reach the hub at "
                "(e.g. PUBLIC_URL=https://hub.example.com): the studio accepts forms from it",
            )


_NEED_A_KEY = (
    f"production needs SECRET_KEY set to {MIN_SECRET_BYTES} or more random bytes "
    "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
)


def _development_key(path: Path) -> str:
    """The key kept in `path`, made there first if there is none (safe against a second
    process making it at the same moment: the file appears whole or not at all)."""
    known = _KEYS.get(path)
    if known is not None:
        return known
    from dreamery.core.errors import ConfigurationError

    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(draft, path)  # fails if another process made it first: theirs wins
            except FileExistsError:
                pass
            finally:
                draft.unlink()
            logger.warning(
                "made a secret key for this hub in %s (set SECRET_KEY to choose one)", path
            )
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            logger.warning("%s may be read by others (mode %o): chmod 600 it", path, mode)
        key = path.read_text().strip()
    except OSError as error:
        raise ConfigurationError(
            "SECRET_KEY_FILE", f"cannot keep the hub's secret key in {path}: {error.strerror}"
        ) from None
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            "SECRET_KEY_FILE", f"{path} holds a key under {MIN_SECRET_BYTES} bytes; delete it"
        )
    _KEYS[path] = key
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
