"""Security headers: every response, a policy for each group of HTML pages that allows only
the inline code known before any request, HSTS in production, and the studio's origin check
against PUBLIC_URL."""

from __future__ import annotations

import base64
import hashlib
import html
import re

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dreamery import DatabaseService
from dreamery.api.app import create_app
from dreamery.core.config import Settings
from dreamery.core.errors import ConfigurationError
from dreamery.core.http.headers import InlineCode, Pages
from tests.hub import client_for, settings

pytestmark = pytest.mark.usefixtures("backend")


def _directives(policy: str) -> dict[str, list[str]]:
    return {
        name: rest for name, *rest in (part.split() for part in policy.split(";") if part.strip())
    }


def _inline_scripts(page: str) -> list[str]:
    """The code of the page's inline scripts (not its files, not its JSON data blocks)."""
    found = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", page, re.DOTALL)
    return [code for attributes, code in found if "application/json" not in attributes]


def _handlers(page: str) -> list[str]:
    return [html.unescape(code) for code in re.findall(r'\son[a-z]+="([^"]*)"', page)]


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
        assert path not in (await client.get("/openapi.json")).json()["paths"]
        policy = _directives(page.headers["content-security-policy"])
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        hashes = {source for source in policy["script-src"] if source.startswith("'sha256-")}
        assert hashes == {_sha(code) for code in _inline_scripts(page.text)}, path
        assert page.headers["x-content-type-options"] == "nosniff"


def test_inline_code_is_hashed_from_what_the_app_wrote() -> None:
    known = InlineCode.of(
        '<script>ok()</script><p onclick="go(&quot;1&quot;)">x</p>'
        '<script src="/app.js"></script><script type="application/json">{"data": 1}</script>'
    )
    assert known.scripts == {_sha("ok()")}  # a file and a data block need no hash
    assert known.handlers == {_sha('go("1")')}  # as the browser reads the attribute
    policy = _directives(Pages(code=known).policy())
    assert policy["script-src"][:2] == ["'self'", "'unsafe-hashes'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert _directives(Pages().policy())["script-src"] == ["'self'"]


async def test_a_script_injected_into_a_page_is_not_allowed(api_db: DatabaseService) -> None:
    """The policy is the page group's, made when the app was built: whatever a page comes to
    hold when it is sent, its policy names the same scripts."""
    app = create_app(api_db, settings())
    async with client_for(app) as http:
        docs = await http.get("/docs")
    injected = docs.text.replace(
        "</body>", '<script>steal(document.cookie)</script><img src=x onerror="steal()"></body>'
    )

    async def tampered(_request: Request) -> HTMLResponse:
        return HTMLResponse(injected)

    app.add_route("/docs/tampered", tampered)
    async with client_for(app) as http:
        page = await http.get("/docs/tampered")
    assert page.text == injected
    assert page.headers["content-security-policy"] == docs.headers["content-security-policy"]
    script_src = _directives(page.headers["content-security-policy"])["script-src"]
    assert _sha("steal(document.cookie)") not in script_src
    assert _sha("steal()") not in script_src and "'unsafe-hashes'" not in script_src
    assert [_sha(code) in script_src for code in _inline_scripts(injected)] == [True, False]


async def test_studio_pages_carry_a_policy_of_their_own(api_db: DatabaseService) -> None:
    async with client_for(create_app(api_db, settings())) as http:
        page = await http.get("/studio/login")
    assert page.status_code == 200
    policy = _directives(page.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for code in _inline_scripts(page.text) + _handlers(page.text):
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
