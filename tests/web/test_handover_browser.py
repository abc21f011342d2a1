"""In real Chromium: the outgoing coordinator leaves a note, the hand-off prepares the digest, the incoming
reads it and presses "Ho letto le consegne" with the keyboard alone; the past list shows when."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine

from alerts.handover import flows
from centrale.db import Database
from centrale.operators.models import Role
from tests import factories as f
from tests.alerts.handover.helpers import HANDOFF, evening
from tests.web.live_server import live_app
from tests.web.test_axe import _tab_to
from tests.web.test_cases_browser import ARGS, CHROMIUM
from web.api.deps import COOKIE_NAME
from web.schema import metadata

pytestmark = pytest.mark.browser


@dataclass
class Shift:
    base: str
    url: str
    incoming: str  # session tokens
    outgoing: str
    ids: tuple[int, int]  # incoming, outgoing operator


async def _seed(url: str) -> tuple[str, str, tuple[int, int]]:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with db.sessionmaker() as session:
        e = await evening(session)
        tokens = (await f.token_for(session, e.incoming), await f.token_for(session, e.outgoing))
    await db.dispose()
    return tokens[0], tokens[1], (e.incoming.id or 0, e.outgoing.id or 0)


async def _hand_off(url: str, ids: tuple[int, int]) -> None:
    """What the rota's job does at 20:00: prepare the incoming's digest."""
    db = Database(url)
    with time_machine.travel(HANDOFF, tick=False):
        assert await flows.prepare(db, role=Role.COORDINATORE, incoming_id=ids[0], outgoing_id=ids[1], at=HANDOFF)
    await db.dispose()


@pytest.fixture
def shift(tmp_path: Path) -> Iterator[Shift]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'handover.sqlite3'}"
    incoming, outgoing, ids = asyncio.run(_seed(url))
    with live_app(url) as base:
        yield Shift(base, url, incoming, outgoing, ids)


def test_note_digest_and_acknowledgement_in_the_browser(shift: Shift) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        leaving = browser.new_context()
        leaving.add_cookies([{"name": COOKIE_NAME, "value": shift.outgoing, "url": shift.base}])
        page = leaving.new_page()
        page.goto(f"{shift.base}/consegne")
        page.get_by_label("Nota per le prossime consegne").fill("La figlia di Bianchi richiama alle 21")
        page.get_by_role("button", name="Salva la nota").click()
        expect(page.get_by_role("status")).to_contain_text("Nota salvata")
        leaving.close()

        with ThreadPoolExecutor(1) as pool:  # the browser's driver runs its own event loop in this thread
            pool.submit(asyncio.run, _hand_off(shift.url, shift.ids)).result()

        arriving = browser.new_context()
        arriving.add_cookies([{"name": COOKIE_NAME, "value": shift.incoming, "url": shift.base}])
        page = arriving.new_page()
        page.goto(f"{shift.base}/consegne")
        expect(page.locator(".handover-notes")).to_have_text("La figlia di Bianchi richiama alle 21")
        expect(page.locator("#overdue_tasks")).to_contain_text("T-LATE")
        expect(page.locator("#open_alerts")).to_contain_text("Bianchi M.")
        expect(page.locator("#handover-state")).to_have_text("Non ancora lette")
        _tab_to(page, "#acknowledge")
        page.keyboard.press("Enter")
        expect(page.locator("#handover-state")).to_contain_text("Lette: ")
        expect(page.locator("#acknowledge")).to_have_count(0)
        expect(page.locator("#past tbody tr").first).not_to_contain_text("Non ancora lette")
        browser.close()
