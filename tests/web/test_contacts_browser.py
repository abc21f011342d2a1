"""In real Chromium: an operator sets their rule for high alerts and their quiet hours on "I miei recapiti",
and adds a landline for calls; the page then says the rule in words."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from centrale.db import Database
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.web.live_server import live_app
from tests.web.test_cases_browser import ARGS, CHROMIUM
from web.api.deps import COOKIE_NAME
from web.schema import metadata

pytestmark = pytest.mark.browser


@dataclass
class Served:
    base: str
    token: str


async def _seed(url: str) -> str:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with db.sessionmaker() as session:
        coordinator = await f.operator(
            session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE), phone="+393331234567"
        )
        token = await f.token_for(session, coordinator)
    await db.dispose()
    return token


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'contacts.sqlite3'}"
    token = asyncio.run(_seed(url))
    with live_app(url) as base:
        yield Served(base, token)


def test_a_rule_and_quiet_hours_set_in_the_browser_are_said_in_words(served: Served) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        context.add_cookies([{"name": COOKIE_NAME, "value": served.token, "url": served.base}])
        page = context.new_page()
        page.goto(f"{served.base}/recapiti")
        expect(page.get_by_role("heading", level=1)).to_have_text("I miei recapiti")
        expect(page.locator("#rule-ALTA")).to_have_text(
            "Allerta alta: SMS e avviso sul dispositivo (regola predefinita)"
        )

        high = page.locator("#edit-ALTA")
        high.get_by_label("Passo 1: Recapito").select_option(label="chiamata")
        high.get_by_label("Passo 2: Recapito").select_option(label="SMS")
        high.locator("#ALTA-delay-1").fill("2")
        page.get_by_label("Dalle ore", exact=True).fill("22:00")
        page.get_by_label("Alle ore", exact=True).fill("07:00")
        page.get_by_role("button", name="Salva ore di quiete e regole").click()
        expect(page.get_by_role("status").first).to_contain_text("Recapiti salvati")
        expect(page.locator("#rule-ALTA")).to_have_text("Allerta alta: chiamata, poi SMS dopo 2 minuti")
        expect(page.locator("#rules-now")).to_contain_text("22:00–07:00")

        page.get_by_label("Numero", exact=True).fill("06 1234 5678")
        page.get_by_label("Descrizione (per esempio: casa)").fill("ufficio")
        page.get_by_role("button", name="Aggiungi il numero").click()
        expect(page.locator("#phones tbody")).to_contain_text("+390612345678")
        expect(page.locator("#phones tbody")).to_contain_text("solo chiamate")
        browser.close()
