"""The studio in a real browser (Chromium through Playwright) against the hub served by uvicorn:
sign in, find a user, edit their profile, see the change and its audit row; and the lists and
pages of a 1280 x 800 screen, which fit it, status columns included, and name rows by label.

Screenshots of each step go to test-artifacts/studio/. Without /usr/bin/chromium the test
fails when CI=true and is skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from dreamery import DatabaseService
from dreamery.api.app import create_app
from dreamery.core.config import Settings
from tests.studio.conftest import PASSWORD, ROOMY, make_user

pytestmark = [pytest.mark.usefixtures("backend"), pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "studio"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThreadedHub:
    """The hub's app under uvicorn in a thread of its own, with its own event loop."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.failure: BaseException | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="studio-hub", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported to the test, which waits on `ready`
            self.failure = error
            self.ready.set()

    async def _serve(self) -> None:
        async with DatabaseService(self.database_url) as db:
            app = create_app(db, Settings(**ROOMY))
            config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
            ready = self.ready

            class Server(uvicorn.Server):
                async def startup(self, sockets: Any = None) -> None:
                    await super().startup(sockets)
                    ready.set()

            self.server = Server(config)
            await self.server.serve()

    def __enter__(self) -> ThreadedHub:
        self.thread.start()
        if not self.ready.wait(30) or self.failure is not None:
            raise AssertionError(f"the hub did not start: {self.failure!r}")
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser test needs Chromium: {CHROMIUM} is not installed "
            "(`make test` installs it where it may; otherwise apt-get install chromium)"
        )
    return CHROMIUM


@pytest.fixture
def hub(studio_url: str) -> Iterator[ThreadedHub]:
    with ThreadedHub(studio_url) as served:
        yield served


@asynccontextmanager
async def browser_page(chromium: Path, width: int, height: int) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        try:
            yield await context.new_page()
        finally:
            await browser.close()


@pytest.fixture
async def page(chromium: Path) -> AsyncIterator[Any]:
    async with browser_page(chromium, 1440, 900) as opened:
        yield opened


@pytest.fixture
async def laptop(chromium: Path) -> AsyncIterator[Any]:
    """A browser on a 1280 x 800 screen."""
    async with browser_page(chromium, 1280, 800) as opened:
        yield opened


async def test_an_administrator_edits_a_profile_and_sees_it_audited(
    hub: ThreadedHub, page: Any, studio_db: DatabaseService, admin: Any, backend: str
) -> None:
    from playwright.async_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    async def shot(step: str) -> None:
        await page.screenshot(path=str(ARTIFACTS / f"{backend}-{step}.png"), full_page=True)

    # Every page runs under its Content-Security-Policy: nothing it needs may be refused.
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))

    token = f"Browserton{uuid.uuid4().hex[:6]}"
    person = await make_user(
        studio_db, password=None, last_name=token, profile={"company": "Acme Realty"}
    )

    # Sign in: the studio sends us to its sign-in page first.
    await page.goto(f"{hub.base}/studio/users/list")
    await expect(page.get_by_text("Sign in to Dreamery Studio")).to_be_visible()
    await page.fill("#username", admin.email)
    await page.fill("#password", PASSWORD)
    await shot("01-sign-in")
    await page.click("button[type=submit]")
    await expect(page.locator("h1", has_text="Users")).to_be_visible()
    await shot("02-users")

    # Find the user with the search box.
    await page.fill("input[name=q]", token)
    await page.press("input[name=q]", "Enter")
    row = page.locator(f'tr[data-sa-pk="{person.id}"]')
    await expect(row).to_be_visible()
    await expect(page.locator("tbody tr[data-sa-pk]")).to_have_count(1)
    await shot("03-search")

    # Open them, then their profile through the relations, then its edit form.
    await row.locator("td", has_text=person.email).click()
    await expect(page.get_by_text("Profiles (user id)")).to_be_visible()
    await page.get_by_text("Profiles (user id)").click()
    await expect(page.locator("tbody tr[data-sa-pk]")).to_have_count(1)
    await page.locator("tbody tr[data-sa-pk] a[href*='/studio/profiles/edit']").click()
    await expect(page.locator("#company")).to_have_value("Acme Realty")
    await page.fill("#company", "Studio Test Co")
    await shot("04-edit")
    await page.get_by_role("button", name="Save", exact=True).click()

    # Saved: the list shows the new value.
    await expect(page.get_by_text("was changed successfully")).to_be_visible()
    await expect(page.locator("tbody").get_by_text("Studio Test Co")).to_be_visible()
    await shot("05-saved")

    # The audit trail shows who changed what, from old to new value.
    profile = (await studio_db.find_profiles(user_id=person.id, limit=1)).items[0]
    assert profile.company == "Studio Test Co"
    await page.goto(f"{hub.base}/studio/profiles/detail?pk={profile.id}")
    await page.get_by_text("Audit trail of this record").click()
    await expect(page.get_by_text("Audit chain intact")).to_be_visible()
    change = page.locator("ul.studio-changes li", has_text="company")
    await expect(change.first).to_contain_text("Acme Realty → Studio Test Co")
    admin_label = f"{admin.first_name} {admin.last_name} · {admin.email}"
    await expect(page.locator("tbody").get_by_text(admin_label).first).to_be_visible()
    await shot("06-audit")

    # A named operation: the reviewer verifies a compliance record from its page, with a note.
    requirement = (await studio_db.find_compliance_requirements(role_id=person.role_id)).items[0]
    record = await studio_db.create_compliance_record(
        {"requirement_id": str(requirement.id), "user_id": str(person.id)}
    )
    await page.goto(f"{hub.base}/studio/compliance-records/detail?pk={record.id}")
    await page.get_by_role("button", name="Verify").first.click()
    modal = page.locator(".modal.show")
    await expect(modal.get_by_text("Verify a pending record")).to_be_visible()
    await modal.locator("textarea[name=note]").fill("License checked with the state board.")
    await shot("07-verify")
    await modal.get_by_role("button", name="Verify").click()
    await expect(page.get_by_text("Verify: done")).to_be_visible()
    verified = await studio_db.find_compliance_record_by_id(record.id)
    assert (verified.status, verified.verified_by) == ("verified", admin.id)
    assert verified.review_note == "License checked with the state board."
    await shot("08-verified")
    assert not refused, refused


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def fits_the_screen(page: Any, status_column: str) -> None:
    """No horizontal scrolling, of the page or of the table, and the status column's header
    lies within the window."""
    sizes = await page.evaluate(
        """() => {
            const root = document.documentElement;
            const table = document.querySelector('.table-responsive');
            return {page: [root.scrollWidth, root.clientWidth],
                    table: table ? [table.scrollWidth, table.clientWidth] : [0, 0]};
        }"""
    )
    assert sizes["page"][0] <= sizes["page"][1], f"the page scrolls sideways: {sizes}"
    assert sizes["table"][0] <= sizes["table"][1], f"the table scrolls sideways: {sizes}"
    header = page.locator(f'th[data-column="{status_column}"]')
    await header.scroll_into_view_if_needed()
    box = await header.bounding_box()
    assert box is not None, f"no {status_column} column"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box


async def test_lists_and_pages_fit_a_laptop_and_name_rows_by_label(
    hub: ThreadedHub, laptop: Any, studio_db: DatabaseService, admin: Any, backend: str
) -> None:
    from playwright.async_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = laptop

    async def shot(name: str, *, full_page: bool = False) -> None:
        path = ARTIFACTS / f"{backend}-1280-{name}.png"
        await page.screenshot(path=str(path), full_page=full_page)

    person = await make_user(
        studio_db,
        password=None,
        first_name="Catherine",
        last_name=f"Miller{uuid.uuid4().hex[:6]}",
        role_id="residential-appraiser",
        profile={"company": "A company with a rather long name for a narrow column, Inc."},
    )
    label = f"{person.first_name} {person.last_name} · {person.email}"
    requirement = (await studio_db.find_compliance_requirements(role_id=person.role_id)).items[0]
    await studio_db.create_compliance_record(
        {"requirement_id": str(requirement.id), "user_id": str(person.id)}
    )
    await studio_db.create_task(
        {"title": "Inspect the roof", "role_id": person.role_id, "user_id": str(person.id)}
    )

    await page.goto(f"{hub.base}/studio/login")
    await page.fill("#username", admin.email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page.locator("h1", has_text="Dreamery Studio").first).to_be_visible()

    # The users list: every chosen column on screen, active and admin flags included.
    await page.goto(f"{hub.base}/studio/users/list")
    await expect(page.locator("tbody tr[data-sa-pk]").first).to_be_visible()
    await shot("users")
    await fits_the_screen(page, "is_active")
    roles = await page.locator('tbody td[data-column="role_id"] a').all_inner_texts()
    assert roles and not [r for r in roles if re.fullmatch(r"[a-z0-9-]+", r.strip())], roles
    await shot("users")

    # A compliance record list: requirement and holder by name, status on screen.
    await page.goto(f"{hub.base}/studio/compliance-records/list?filter=user_id__eq={person.id}")
    await expect(page.locator("tbody tr[data-sa-pk]")).to_have_count(1)
    await fits_the_screen(page, "status")
    links = [t.strip() for t in await page.locator("tbody td a").all_inner_texts()]
    assert label in links and requirement.name in links, links
    assert not [t for t in links if UUID.match(t)], links
    await expect(page.locator("#active-filters")).to_contain_text(label)
    await shot("compliance-records")

    # The user's page: titled by the label, related rows counted.
    await page.goto(f"{hub.base}/studio/users/detail?pk={person.id}")
    await expect(page.locator("[data-studio-title]")).to_have_text(label)
    tasks = page.locator('[data-studio-related="Tasks (user id)"] [data-studio-count]')
    await expect(tasks).to_have_text("1")
    records = page.locator(
        '[data-studio-related="Compliance records (user id)"] [data-studio-count]'
    )
    await expect(records).to_have_text("1")
    sizes = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], sizes
    await shot("user-detail", full_page=True)


async def test_a_run_s_checklist_and_a_step_done_from_its_page(
    hub: ThreadedHub, page: Any, studio_db: DatabaseService, admin: Any, backend: str
) -> None:
    from playwright.async_api import expect

    from tests.workflows.runs_support import deal

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    d = await deal(studio_db)
    agent = studio_db.acting_as(d.agent.id)
    run = await agent.start_run(d.case.id, d.workflow.id)
    await agent.submit_step(run.id, 1, {"price": 410000})
    await agent.complete_step(run.id, 2, falls_on="2020-03-05")

    await page.goto(f"{hub.base}/studio/workflow-runs/detail?pk={run.id}")
    await page.fill("#username", admin.email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    checklist = page.locator("[data-studio-checklist]")
    await expect(checklist).to_be_visible()
    await expect(checklist.locator("[data-studio-progress]")).to_contain_text(
        "2 of 7 steps finished"
    )
    await expect(checklist.locator("[data-studio-overdue]")).to_contain_text("Earnest money")
    bar = await checklist.locator(".progress-bar").bounding_box()
    track = await checklist.locator(".progress").bounding_box()
    assert bar and track and 0.2 < bar["width"] / track["width"] < 0.4  # 29 %
    await page.screenshot(path=str(ARTIFACTS / f"{backend}-09-checklist.png"), full_page=True)

    await checklist.get_by_role("link", name="Earnest money").click()
    await page.get_by_role("button", name="Complete").first.click()
    modal = page.locator(".modal.show")
    await modal.locator("textarea[name=note]").fill("Receipt in the file.")
    await modal.get_by_role("button", name="Complete").click()
    await expect(page.get_by_text("Complete: done")).to_be_visible()
    steps = {s.number: s for s in (await agent.find_run_by_id(run.id)).steps}
    assert (steps[3].status, steps[3].completed_by) == ("done", admin.id)
    await page.goto(f"{hub.base}/studio/workflow-runs/detail?pk={run.id}")
    await expect(page.locator('[data-studio-step="3"]')).to_have_attribute(
        "data-studio-status", "done"
    )
    await page.screenshot(path=str(ARTIFACTS / f"{backend}-10-step-done.png"), full_page=True)
