"""Security headers: every response, a policy made for each HTML page, HSTS in production,
and the studio's origin check against PUBLIC_URL."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from dreamery import DatabaseService
from dreamery.api.app import create_app
from dreamery.core.config import Settings
from dreamery.core.errors import ConfigurationError
from dreamery.core.http.headers import page_policy
from tests.hub import client_for, settings

pytestmark = pytest.mark.usefixtures("backend")


def _directives(policy: str) -> dict[str, list[str]]:
    return {
        name: rest for name, *rest in (part.split() for part in policy.split(";") if part.strip())
    }


def _inline_scripts(page: str) -> list[str]:
    return re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, re.DOTALL)


def _sha(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


async def test_every_api_answer_carries_the_headers(client: httpx.AsyncClient) -> None:
    for answer in (
        await client.get("/api/v1/categories"),
        await client.get("/me"),  # an error is an answer too
        await client.get("/health"),
    ):
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert "strict-transport-security" not in headers  # development: no HTTPS promised


async def test_the_docs_pages_allow_exactly_their_own_scripts(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        page = await client.get(path)
        assert page.status_code == 200, path
        policy = _directives(page.headers["content-security-policy"])
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        for code in _inline_scripts(page.text):
            assert _sha(code) in policy["script-src"], path
        assert page.headers["x-content-type-options"] == "nosniff"


def test_an_injected_script_is_not_in_the_policy() -> None:
    page = b'<html><script>ok()</script><p onclick="go(1)">x</p></html>'
    allowed = page_policy(page)
    injected = page_policy(page.replace(b"ok()", b"steal()"))
    assert _sha("ok()") in allowed and _sha("ok()") not in injected
    assert "'unsafe-hashes'" in allowed and _sha("go(1)") in allowed
    assert "'unsafe-inline'" not in _directives(allowed)["script-src"]


async def test_studio_pages_carry_a_policy_of_their_own(api_db: DatabaseService) -> None:
    async with client_for(create_app(api_db, settings())) as http:
        page = await http.get("/studio/login")
    assert page.status_code == 200
    policy = _directives(page.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for code in _inline_scripts(page.text):
        assert _sha(code) in policy["script-src"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"


def _production(**overrides: object) -> Settings:
    production: dict[str, object] = {
        "environment": "production",
        "secret_key": "s" * 48,
        "public_url": "https://hub.example.com",
        "allow_sqlite_in_production": True,
    }
    return settings(**(production | overrides))


async def test_production_promises_https(api_db: DatabaseService) -> None:
    async with client_for(create_app(api_db, _production())) as http:
        answer = await http.get("/api/v1/categories")
        page = await http.get("/studio/login")
    for response in (answer, page):
        assert response.headers["strict-transport-security"].startswith("max-age=63072000")


def test_production_needs_its_public_url() -> None:
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        _production(public_url=None).check_production()
    for wrong in ("hub.example.com", "ftp://hub.example.com", "https://hub.example.com/app"):
        with pytest.raises(ValueError, match="address of the hub"):
            _production(public_url=wrong)


async def test_the_studio_takes_forms_only_from_its_public_url(api_db: DatabaseService) -> None:
    app = create_app(api_db, _production())
    async with client_for(app) as http:
        login = await http.get("/studio/login")
        token = re.search(r'name="csrftoken" value="([^"]+)"', login.text)
        assert token
        form = {"username": "nobody@example.com", "password": "x", "csrftoken": token.group(1)}
        for origin in (
            "http://hub",  # the request's own Host: not the site's public address
            "http://hub.example.com",  # wrong scheme
            "https://hub.example.com:8443",  # wrong port
            "https://evil.example.com",
        ):
            refused = await http.post("/studio/login", data=form, headers={"Origin": origin})
            assert refused.status_code == 403, origin
        accepted = await http.post(
            "/studio/login", data=form, headers={"Origin": "https://hub.example.com:443"}
        )
        assert accepted.status_code != 403  # the form is read (and its sign-in refused)
