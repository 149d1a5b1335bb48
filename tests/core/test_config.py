"""DATABASE_URL in the forms people write, and the settings around it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from dreamery.core.config import (
    DatabaseURLError,
    Settings,
    mask_url,
    normalize_database_url,
)
from dreamery.core.errors import ConfigurationError


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/hub", "postgresql+asyncpg://u:p@db:5432/hub"),
        ("postgres://u@db/hub", "postgresql+asyncpg://u@db/hub"),
        ("postgresql+psycopg2://u@db/hub", "postgresql+asyncpg://u@db/hub"),
        ("postgresql+asyncpg://u@db/hub", "postgresql+asyncpg://u@db/hub"),
        ("sqlite:///dev.db", "sqlite+aiosqlite:///dev.db"),
        ("sqlite:////abs/dev.db", "sqlite+aiosqlite:////abs/dev.db"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("file:./dev.db", "sqlite+aiosqlite:///./dev.db"),
        ("file:dev.db", "sqlite+aiosqlite:///dev.db"),
        ("  file:./dev.db  ", "sqlite+aiosqlite:///./dev.db"),
    ],
)
def test_urls_pick_their_async_driver(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


@pytest.mark.parametrize(
    ("given", "complaint"),
    [
        ("", "empty"),
        ("file:", "names no file"),
        ("mysql://u@db/hub", "'mysql'"),
        ("not a url", "not a database URL"),
        ("postgresql://u@db", "names no PostgreSQL database"),
    ],
)
def test_bad_urls_say_what_is_wrong(given: str, complaint: str) -> None:
    with pytest.raises(DatabaseURLError, match=complaint):
        normalize_database_url(given)


def test_passwords_never_print() -> None:
    masked = mask_url("postgresql+asyncpg://hub:s3cret@db:5432/hub")
    assert "s3cret" not in masked
    assert "***" in masked


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("garbage", "garbage"),
        ("postgresql://bob:s3cret@db:port/hub", "postgresql://bob:***@db:port/hub"),
        ("bob:s3cret@db/hub", "bob:***@db/hub"),
        ("postgresql://bob@db:port/hub", "postgresql://bob@db:port/hub"),
    ],
)
def test_what_is_not_a_url_is_masked_where_a_password_would_stand(given: str, shown: str) -> None:
    assert mask_url(given) == shown


def test_settings_default_to_a_sqlite_file_in_the_working_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'dreamery.db'}"
    assert settings.redis_url is None
    assert settings.debug is False


def test_settings_read_the_environment_and_env_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / ".env").write_text("DATABASE_URL=file:./dev.db\nDEBUG=true\n")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = Settings()
    assert settings.database_url == "sqlite+aiosqlite:///./dev.db"
    assert settings.debug is True
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_a_bad_setting_names_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "oracle://db/hub")
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert caught.value.errors()[0]["loc"] == ("database_url",)


def test_no_key_ships_with_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset, the key is made once per hub, kept only for its owner, and the same for every
    process; production refuses to start without one of its own."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    first = Settings(database_url=f"sqlite:///{tmp_path / 'hub.db'}")
    key = first.signing_key()
    kept = tmp_path / ".dreamery-secret-key"
    assert kept.read_text().strip() == key and len(key) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert Settings(database_url=f"sqlite:///{tmp_path / 'hub.db'}").signing_key() == key
    elsewhere = tmp_path / "other"
    other = Settings(database_url=f"sqlite:///{elsewhere / 'hub.db'}").signing_key()
    assert other != key  # each hub its own

    production = Settings(database_url=first.database_url, environment="production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        production.check_production()
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        production.signing_key()
    short = Settings(environment="production", secret_key="too short")
    with pytest.raises(ConfigurationError, match="32 or more"):
        short.check_production()
