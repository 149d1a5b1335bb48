"""Bad settings and unreachable databases: one clear line, a non-zero exit, no traceback."""

from __future__ import annotations

import pytest

from tests.cli.runner import assert_one_line_error, dreamery, dreamery_process


@pytest.mark.parametrize(
    ("url", "fragments"),
    [
        ("mysql://root@127.0.0.1/hub", ("DATABASE_URL", "mysql")),
        ("file:", ("DATABASE_URL",)),
        ("postgresql://postgres@127.0.0.1:1/hub", ("cannot connect", "DATABASE_URL")),
        ("sqlite:////no/such/folder/hub.db", ("cannot connect", "SQLite cannot open")),
    ],
    ids=["unsupported", "empty-file", "unreachable", "bad-sqlite-path"],
)
def test_bad_database_urls_get_one_clear_line(
    url: str, fragments: tuple[str, ...], cli_env: dict[str, str]
) -> None:
    for command in (["db", "status"], ["db", "migrate"], ["db", "seed"], ["db", "push"]):
        assert_one_line_error(dreamery(*command, env=cli_env, url=url), *fragments)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("garbage", "DATABASE_URL 'garbage' is not a database URL: expected e.g. postgresql"),
        ("postgresql://bob:s3cret@host:port/db", "'postgresql://bob:***@host:port/db'"),
        ("mysql://bob:s3cret@127.0.0.1/hub", "'mysql://bob:***@127.0.0.1/hub' uses 'mysql'"),
        ("postgresql://bob:s3cret@127.0.0.1", "'postgresql://bob:***@127.0.0.1' names no"),
    ],
    ids=["words", "bad-port", "unsupported", "no-database"],
)
def test_a_bad_database_url_is_echoed_with_its_password_masked(
    url: str, shown: str, cli_env: dict[str, str]
) -> None:
    for command in (["db", "status"], ["serve"], ["users", "ensure-admin"]):
        result = dreamery(*command, env=cli_env, url=url)
        assert_one_line_error(result, shown)
        assert "s3cret" not in result.err + result.out


@pytest.mark.process
def test_the_installed_command_fails_in_one_line_and_debug_adds_the_traceback(
    cli_env: dict[str, str],
) -> None:
    url = "postgresql://postgres@127.0.0.1:1/hub"
    assert_one_line_error(
        dreamery_process("db", "status", env=cli_env, url=url), "cannot connect", "DATABASE_URL"
    )
    result = dreamery_process("--debug", "db", "status", env=cli_env, url=url)
    assert result.code == 1
    assert "Traceback" in result.err
    assert result.err.rstrip().splitlines()[-1].startswith("error: cannot connect")
