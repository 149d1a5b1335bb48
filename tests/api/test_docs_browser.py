"""The API docs and the front page in a real browser (Chromium through Playwright) against the
hub served by uvicorn, with every request to another origin refused: what a closed network
does. Swagger UI must list the operations, ReDoc must render the reference, and neither may
even try to reach another site or be refused anything by its Content-Security-Policy.

Screenshots go to test-artifacts/docs/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.studio.test_browser import CHROMIUM, CHROMIUM_ARGS, ThreadedHub

pytestmark = [pytest.mark.usefixtures("backend"), pytest.mark.browser]

# The OpenAPI document is built at its first request and ReDoc lays out every operation before
# it shows anything: tens of seconds on a busy machine.
LOADING = 90_000
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "docs"


@pytest.fixture(scope="module")
def hub(database_url: str) -> Iterator[ThreadedHub]:
    with ThreadedHub(database_url) as served:
        yield served


class Offline:
    """A browser page on which only the hub's own origin answers; what else was asked for,
    and what the page's policy refused or the page's scripts threw, is kept."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.elsewhere: list[str] = []
        self.problems: list[str] = []

    def _elsewhere(self, url: str) -> bool:
        return not (url == self.origin or url.startswith(f"{self.origin}/"))

    async def start(self) -> None:
        async def refuse(route: Any) -> None:
            self.elsewhere.append(route.request.url)
            await route.abort("blockedbyclient")

        # Only the other origins are intercepted: the hub's own answers reach the page as
        # they are sent.
        await self.page.route(self._elsewhere, refuse)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def _console(self, message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(message.text)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser test needs Chromium: {CHROMIUM} is not installed "
            "(`make test` installs it where it may; otherwise apt-get install chromium)"
        )
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def offline(hub: ThreadedHub, browser: Any) -> AsyncIterator[Offline]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(LOADING)
    try:
        watched = Offline(await context.new_page(), hub.base)
        await watched.start()
        yield watched
    finally:
        await context.close()


async def test_swagger_ui_lists_the_operations_offline(
    hub: ThreadedHub, offline: Offline, backend: str
) -> None:
    from playwright.async_api import expect

    page = offline.page
    await page.goto(f"{hub.base}/docs")
    operations = page.locator(".opblock")
    await expect(operations.first).to_be_visible(timeout=LOADING)
    await expect(page.locator(".opblock-summary-path", has_text="/auth/login")).to_be_visible()
    async with httpx.AsyncClient(base_url=hub.base) as http:
        document = (await http.get("/openapi.json")).json()
    # Every operation, once in each of its tags' sections.
    documented = sum(
        len(set(operation.get("tags") or ["default"]))
        for methods in document["paths"].values()
        for method, operation in methods.items()
        if method in METHODS
    )
    assert await operations.count() == documented
    await page.locator(".opblock-summary-path", has_text="/health").first.click()
    await expect(page.locator(".opblock.is-open")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{backend}-swagger-ui.png"))
    assert offline.elsewhere == []
    assert offline.problems == []


async def test_redoc_renders_the_reference_offline(
    hub: ThreadedHub, offline: Offline, backend: str
) -> None:
    from playwright.async_api import expect

    page = offline.page
    await page.goto(f"{hub.base}/redoc")
    await expect(page.locator("h1", has_text="Dreamery Hub")).to_be_visible(timeout=LOADING)
    await expect(page.locator("h2", has_text="The process is up")).to_be_attached()
    await expect(page.get_by_role("menu").get_by_text("People")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{backend}-redoc.png"))
    assert offline.elsewhere == []
    assert offline.problems == []


async def test_the_front_page_leads_to_the_hubs_parts(
    hub: ThreadedHub, offline: Offline, backend: str
) -> None:
    from playwright.async_api import expect

    page = offline.page
    await page.goto(f"{hub.base}/")
    await expect(page.locator("h1", has_text="Dreamery Hub")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{backend}-front-page.png"))
    await page.get_by_role("link", name="/docs", exact=True).click()
    await expect(page.locator(".opblock").first).to_be_visible(timeout=LOADING)
    assert offline.elsewhere == []
    assert offline.problems == []
