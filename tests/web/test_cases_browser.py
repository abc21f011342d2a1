"""In real Chromium: a case manager goes from the intake form to an active personalised plan."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from centrale.db import Database
from centrale.demo import DEMO_PASSWORD, seed_demo
from tests.web.live_server import live_app
from web.schema import metadata

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def _prepare(url: str) -> None:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with db.sessionmaker() as session:
        await seed_demo(session)
    await db.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'browser.sqlite3'}"
    asyncio.run(_prepare(url))
    with live_app(url) as base:
        yield base


def test_intake_to_active_plan(server: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "casemanager")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{server}/casi/nuovo")
        page.select_option(
            "select[name=person_id]",
            label=page.locator("select[name=person_id] option", has_text="Rossi Giuseppe").inner_text(),
        )
        page.fill("input[name=requested_by]", "Laura Rossi")
        page.fill("input[name=requester_relation]", "figlia")
        page.fill("textarea[name=expressed_need]", "Vive solo, non riesce più a fare la spesa")
        page.select_option("select[name=source]", "FAMILIARE")
        page.select_option("select[name=outcome]", "PROPOSTA_PRESA_IN_CARICO")
        page.select_option("select[name=category]", "ANZIANI")
        page.click("main form button[type=submit]")
        expect(page.locator("#case-state")).to_have_attribute("data-state", "APERTO")
        expect(page.locator("h1")).to_contain_text("Rossi Giuseppe")

        page.click("#new-plan")
        page.fill("input[name=start_date]", "2024-03-01")
        page.fill("#isee", "18750")
        page.fill("input[name=goal_0]", "Spesa settimanale garantita")
        page.select_option("select[name=service_0]", "A2.07")
        page.select_option("select[name=provider_0]", label="Cooperativa sociale Il Ponte")
        page.select_option("select[name=repeat_0]", "SETTIMANALE")
        page.check("input[name=day_0][value=MO]")
        page.check("input[name=day_0][value=TH]")
        page.fill("input[name=at_0]", "10:00")
        expect(page.locator("fieldset.intervention[data-i='0'] .when-words")).to_have_text("lunedì e giovedì alle 10")
        page.fill("input[name=hours_0]", "20")
        # live totals before saving: 20 h at €13.80, the person pays €4.00/h at ISEE 18,750
        expect(page.locator("#total-cost")).to_have_text("276,00 €")
        expect(page.locator("#total-user")).to_have_text("80,00 €")
        expect(page.locator("#total-ente")).to_have_text("196,00 €")
        page.click("#plan-form button[type=submit]")
        expect(page.locator("#plan-status")).to_have_text("In bozza")

        page.click("#approve")
        expect(page.locator("#plan-status")).to_have_text("In bozza")  # approved, not yet signed
        page.fill("input[name=signed_by]", "Giuseppe Rossi")
        page.click("#sign")
        expect(page.locator("#plan-status")).to_have_text("Attivo")
        browser.close()
