"""The hub's front door and its docs' files, in-process: `/` for browsers and for programs,
`/favicon.ico`, and the Swagger UI and ReDoc files served by the hub itself."""

from __future__ import annotations

import re
import struct

import httpx
import pytest

from dreamery.api import docs
from dreamery.api.home import wants_html

pytestmark = pytest.mark.usefixtures("backend")

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PARTS = ("/docs", "/redoc", "/studio", "/health")


async def test_a_browser_gets_a_page_that_leads_to_the_hubs_parts(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept"
    assert "<h1>" in page.text.replace('<img src="/favicon.ico" alt="">', "")
    assert "real-estate professionals" in page.text
    for path in PARTS:
        assert f'href="{path}"' in page.text, path
        assert (await client.get(path, follow_redirects=True)).status_code == 200, path
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy  # no script at all, from anywhere
    assert not re.search(r"https?://", page.text)  # nothing loaded from elsewhere


async def test_a_program_gets_an_index_of_the_same_links(client: httpx.AsyncClient) -> None:
    for accept in ("application/json", "*/*", None):
        headers = {"Accept": accept} if accept else {}
        index = await client.get("/", headers=headers)
        assert index.status_code == 200, accept
        assert index.headers["content-type"] == "application/json", accept
        body = index.json()
        assert body["name"] == "Dreamery Hub"
        assert {link["href"] for link in body["links"].values()} >= set(PARTS)


def test_content_negotiation_weighs_the_accept_header() -> None:
    assert wants_html(BROWSER)
    assert wants_html("text/html")
    assert wants_html("text/*, application/json;q=0.5")
    assert not wants_html("application/json")
    assert not wants_html("*/*")
    assert not wants_html("")
    assert not wants_html("text/html;q=0.4, application/json")
    assert not wants_html("text/html;q=0")
    assert not wants_html("text/html;q=oops")


async def test_the_favicon_is_a_real_icon_kept_by_browsers(client: httpx.AsyncClient) -> None:
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert icon.headers["cache-control"] == "public, max-age=86400"
    data = icon.content
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 2  # an icon file with several sizes
    sizes = []
    for number in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * number : 22 + 16 * number]
        )
        image = data[offset : offset + length]
        assert image.startswith(b"\x89PNG\r\n\x1a\n")
        assert struct.unpack(">II", image[16:24]) == (width, height)
        sizes.append(width)
    assert {16, 32} <= set(sizes)
    assert (await client.head("/favicon.ico")).status_code == 200


async def test_the_docs_load_every_file_from_the_hub(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        loaded = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert loaded, path
        for url in loaded:
            assert url.startswith("/"), (path, url)  # the hub's own, never a CDN
            answer = await client.get(url)
            assert answer.status_code == 200, url
        policy = page.headers["content-security-policy"]
        assert not re.search(r"https?://", policy), policy  # only the hub's origin
        assert "https://" not in page.text.replace(docs.FAVICON, "")


async def test_the_docs_files_are_kept_for_as_long_as_their_version(
    client: httpx.AsyncClient,
) -> None:
    for name, media in (
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "text/javascript"),
    ):
        answer = await client.get(f"{docs.ASSETS}/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith(media), name
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert len(answer.content) > 100_000, name  # the real bundle
    redoc = (await client.get(f"{docs.ASSETS}/redoc.standalone.js")).text
    assert "cdn.redoc.ly" not in redoc
    assert (await client.get(f"{docs.ASSETS}/nothing.js")).status_code == 404
