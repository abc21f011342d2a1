"""The board in real Chromium: a signed SMS appears within a second, an acknowledgement in one browser
shows in another without reload, and a server restart shows the banner and then catches up."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from alerts.models import Alert, AlertSource, Severity
from alerts.raising import raise_alert
from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Condominio
from centrale.db import Database
from centrale.demo import DEMO_PASSWORD, seed_demo
from centrale.events.service import commit
from integrations.twilio.signature import sign
from tests.web.board.helpers import free_port
from tests.web.test_cases_browser import ARGS, CHROMIUM
from web.schema import metadata

pytestmark = pytest.mark.browser
AUTH_TOKEN = "token-twilio-di-prova-0123456789ab"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SMS = {
    "MessageSid": "SM" + "b" * 32,
    "AccountSid": "AC" + "0" * 32,
    "From": "+393330000101",
    "To": "+390699999999",
    "Body": "AIUTO la signora Bianco è caduta",
    "NumSegments": "1",
    "NumMedia": "0",
}


async def _prepare(url: str) -> None:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with db.sessionmaker() as session:
        await seed_demo(session)
    await db.dispose()


async def _alert_during_outage(url: str) -> int:
    """What the SMS webhook of another instance (or a check-in job) would commit while this one is down."""
    db = Database(url)
    async with db.sessionmaker() as session:
        who = (await session.exec(select(AssistedPerson).order_by(col(AssistedPerson.id).desc()))).first()
        assert who is not None
        raised = await raise_alert(
            session,
            source=AlertSource.CHECKIN_MANCATO,
            severity=Severity.ALTA,
            summary="Check-in mancato durante il riavvio",
            person_id=who.person_id,
            condominio_id=who.condominio_id,
        )
        await commit(session)
    await db.dispose()
    assert raised.alert.id is not None
    return raised.alert.id


class Server:
    """``centrale``'s app under uvicorn in a subprocess, which the test stops and starts again."""

    def __init__(self, url: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {
            "CENTRALE_DATABASE_URL": url,
            "CENTRALE_ENVIRONMENT": "test",
            "CENTRALE_SCHEDULER_ENABLED": "false",
            "CENTRALE_PUBLIC_URL": self.base,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        }
        self.env.pop("CENTRALE_REDIS_URL", None)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "web.app:create_app",
            "--factory",
            "--port",
            str(self.port),
            "--host",
            "127.0.0.1",
            "--ws-per-message-deflate",
            "false",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(command, env=self.env)
        for _ in range(200):
            try:
                if httpx.get(f"{self.base}/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
            self.proc = None

    def signed_sms(self, params: dict[str, str]) -> httpx.Response:
        url = f"{self.base}/integrations/twilio/sms"
        return httpx.post(url, data=params, headers={"X-Twilio-Signature": sign(AUTH_TOKEN, url, params)})


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'board.sqlite3'}"
    asyncio.run(_prepare(url))
    running = Server(url)
    running.start()
    try:
        yield running, url
    finally:
        running.stop()


def test_board_live_acknowledge_and_restart(server: tuple[Server, str]) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    srv, url = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages = []
        for viewport in ({"width": 1920, "height": 1080}, {"width": 1280, "height": 800}):  # wall and laptop
            page = browser.new_context(viewport=viewport).new_page()
            page.goto(f"{srv.base}/login")
            page.fill("input[name=username]", "coordinatore")
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
            expect(page.locator("#stale")).to_be_hidden()
            pages.append(page)
        wall, laptop = pages

        started = time.monotonic()
        assert srv.signed_sms(SMS).status_code == 200
        card = wall.locator("#alerts li.alert").first
        expect(card).to_be_visible(timeout=1000)
        assert time.monotonic() - started < 1.0 + 0.5  # the post's own round trip included
        expect(card).to_have_attribute("data-state", "NUOVA")
        alert_id = card.get_attribute("data-id")

        card.locator("button.ack").focus()
        wall.keyboard.press("Enter")  # keyboard, as on a wall screen's keyboard
        on_laptop = laptop.locator(f'#alerts li[data-id="{alert_id}"]')
        expect(on_laptop).to_have_attribute("data-state", "PRESA_VISIONE", timeout=3000)
        expect(on_laptop).to_contain_text("Giulia Marchetti")

        ARTIFACTS.mkdir(exist_ok=True)
        wall.screenshot(path=str(ARTIFACTS / "board.png"), full_page=True)

        srv.stop()
        expect(wall.locator("#stale")).to_be_visible(timeout=5000)
        expect(wall.locator("#stale")).to_contain_text("Dati non aggiornati")
        expect(wall.locator("#conn")).to_have_attribute("data-state", "disconnected")
        with ThreadPoolExecutor(1) as pool:
            missed = pool.submit(asyncio.run, _alert_during_outage(url)).result()
        srv.start()
        for page in (wall, laptop):
            expect(page.locator(f'#alerts li[data-id="{missed}"]')).to_be_visible(timeout=20000)
            expect(page.locator("#stale")).to_be_hidden()
        wall.screenshot(path=str(ARTIFACTS / "board-after-restart.png"), full_page=True)
        browser.close()


async def _building_alerts(url: str, severities: list[Severity]) -> tuple[list[int], str]:
    """Open building alerts, one a minute older than the other; their ids, newest first, and the building."""
    db = Database(url)
    async with db.sessionmaker() as session:
        building = (await session.exec(select(Condominio).order_by(col(Condominio.id)))).first()
        assert building is not None and building.id is not None
        alerts = [
            Alert(
                source=AlertSource.SEGNALAZIONE_SENTINELLA,
                severity=severity,
                summary=f"Segnalazione {n}",
                condominio_id=building.id,
                building_level=True,
                opened_at=utcnow() - timedelta(minutes=n),
            )
            for n, severity in enumerate(severities)
        ]
        session.add_all(alerts)
        await commit(session)
        ids = [a.id for a in alerts if a.id is not None]
        name = building.name
    await db.dispose()
    return ids, name


def test_board_shows_the_first_page_counts_the_rest_and_loads_more(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    url = f"sqlite+aiosqlite:///{tmp_path / 'board.sqlite3'}"
    asyncio.run(_prepare(url))
    ids, building = asyncio.run(_building_alerts(url, [Severity.URGENTE] * 2 + [Severity.ALTA] * 5))
    srv = Server(url)
    srv.env["CENTRALE_BOARD_SNAPSHOT_LIMIT"] = "3"
    srv.start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(f"{srv.base}/login")
            page.fill("input[name=username]", "coordinatore")
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
            cards = page.locator("#alerts li.alert")
            expect(cards).to_have_count(3)  # the snapshot's page: the two urgent ones, then the newest high one
            assert [int(i or 0) for i in cards.evaluate_all("(n) => n.map((c) => c.dataset.id)")] == ids[:3]
            expect(page.locator("#alert-count")).to_have_text("3 di 7")
            expect(page.locator("#alert-counts")).to_have_text("Urgente 2 · Alta 5")
            expect(page.locator("#more")).to_contain_text("Mostrate 3 di 7")

            page.click("#more-button")  # the next page of cards (GET /board/alerts) continues in the same order
            expect(cards).to_have_count(6)
            assert [int(i or 0) for i in cards.evaluate_all("(n) => n.map((c) => c.dataset.id)")] == ids[:6]
            expect(cards.nth(5)).to_contain_text(building)  # a whole card, the building's name included
            expect(page.locator("#alert-count")).to_have_text("6 di 7")
            page.click("#more-button")
            expect(cards).to_have_count(7)
            expect(page.locator("#alert-count")).to_have_text("7")
            expect(page.locator("#more")).to_be_hidden()
            expect(page.locator("#alert-counts")).to_have_text("Urgente 2 · Alta 5")
            browser.close()
    finally:
        srv.stop()
