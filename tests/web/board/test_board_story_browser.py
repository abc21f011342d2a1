"""The board's cards and quarantine in real Chromium: a sentinel's words, whom to call and the escalation's
story on the card; an unknown number's message counted, attached from the page, or raising an alert at
once when urgent; a second flat's report makes a second alert. "Within 1 s" is a 1 s wait."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from alerts.escalation.engine import tick
from alerts.escalation.service import seed_default_policies
from alerts.models import Alert
from centrale.clock import utcnow
from centrale.db import Database
from centrale.demo import DEMO_PASSWORD
from centrale.events.service import commit
from integrations.console_sms import ConsoleSmsSender
from tests.web.board.test_board_browser import SMS, Server, _prepare
from tests.web.test_cases_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser
PAOLA = "+393330000101"  # the demo's sentinel of the first building (A2 Bianco, B3 Rossi, INT. 7 Verdi)
_sids = iter(range(1, 10_000))


def sms(body: str, sender: str) -> dict[str, str]:
    return SMS | {"MessageSid": f"SM{next(_sids):032d}", "From": sender, "Body": body}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'story.sqlite3'}"
    asyncio.run(_prepare(url))
    asyncio.run(_policies(url))
    running = Server(url)
    running.url = url  # type: ignore[attr-defined]
    running.start()
    try:
        yield running
    finally:
        running.stop()


async def _policies(url: str) -> None:
    """The district's default escalation policies, as ``centrale demo`` seeds them."""
    db = Database(url)
    async with db.sessionmaker() as session:
        await seed_default_policies(session)
        await commit(session)
    await db.dispose()


def _in_thread(coroutine: Any) -> Any:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _escalate(url: str) -> None:
    """One escalation step of every open alert, now (as the scheduler's job would run it)."""
    db = Database(url)
    async with db.sessionmaker() as session:
        for alert in (await session.exec(select(Alert).where(col(Alert.next_step_at).is_not(None)))).all():
            alert.next_step_at = utcnow()
            session.add(alert)
        await commit(session)
    result = await tick(db, sender=ConsoleSmsSender(database=db), instance="test")
    await db.dispose()
    assert result.steps_run >= 1


def _signed_in(browser: Any, base: str) -> Any:
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "coordinatore")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    return page


def _browser(pw: Any) -> Any:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    return pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def test_a_sentinels_report_shows_its_words_whom_to_call_and_the_escalation(server: Server) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = _signed_in(browser, server.base)
        assert server.signed_sms(sms("AIUTO A2 non apre la porta", PAOLA)).status_code == 200
        card = page.locator("#alerts li.alert").first
        expect(card.locator(".reports")).to_contain_text("AIUTO A2 non apre la porta", timeout=1000)
        expect(card.locator(".reports")).to_contain_text("Paola (portineria)", timeout=1000)
        expect(card.locator(".contact")).to_contain_text("Maria Bianco", timeout=1000)
        expect(card.locator(".contact")).to_contain_text("Via", timeout=1000)  # the address
        expect(card.locator('.contact a[href="tel:+390651230001"]')).to_be_visible(timeout=1000)
        expect(card.locator(f'.contact a[href="tel:{PAOLA}"]')).to_be_visible(timeout=1000)
        expect(card.locator(".story .next")).to_contain_text("Prossimo passo: Passo 1 · Tutor", timeout=1000)
        expect(card.locator("button.take")).to_have_text("Prendi in carico")

        _in_thread(_escalate(server.url))  # type: ignore[attr-defined]
        story = card.locator(".story ol li").first
        expect(story).to_contain_text("Passo 1 · Tutor", timeout=5000)
        expect(story).to_contain_text("Marco Bianchi")  # the building's tutor, by name
        expect(story).to_contain_text("notifica personale inviata")
        expect(story).to_contain_text("SMS")
        expect(card.locator(".story .next")).to_contain_text("Passo 2 · Coordinatore di turno")
        alert_id = card.get_attribute("data-id")

        _in_thread(_escalate(server.url))  # type: ignore[attr-defined]  # step 2: the coordinator on duty
        expect(page.locator("#personal")).to_contain_text(f"Allerta n. {alert_id}", timeout=5000)
        expect(card.locator(".story")).to_contain_text("Passo 2 · Coordinatore di turno")
        expect(card.locator(".story")).to_contain_text("Giulia Marchetti")
        page.reload()  # "Notifiche personali" survive a reload
        expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(page.locator("#personal")).to_contain_text(f"Allerta n. {alert_id}")

        card = page.locator(f'#alerts li[data-id="{alert_id}"]')
        card.locator("button.take").click()  # take ownership: acknowledged and held by me, one click
        expect(card).to_have_attribute("data-state", "PRESA_VISIONE", timeout=3000)
        expect(card.locator(".holder")).to_contain_text("In carico a: Giulia Marchetti")
        expect(card.locator(".story .next")).to_contain_text("Escalation ferma")
        expect(card.locator(".reports")).to_contain_text("AIUTO A2")
        browser.close()


def test_an_unknown_number_is_counted_attached_from_the_page_or_raises_an_alert_when_urgent(server: Server) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = _signed_in(browser, server.base)
        expect(page.locator("#quarantine-count")).to_have_text("0")
        assert server.signed_sms(sms("Buongiorno, sono la nipote del signor Rossi", "+393471112233")).status_code == 200
        expect(page.locator("#quarantine-count")).to_have_text("1", timeout=1000)
        item = page.locator("#quarantine li").first
        expect(item).to_contain_text("nipote del signor Rossi", timeout=1000)
        expect(page.locator("#alerts li.alert")).to_have_count(0)

        item.get_by_role("button", name="Attribuisci").click()
        dialog = page.locator("#dialog")
        expect(dialog.locator("select[name=target] option").first).to_be_attached()
        rossi = dialog.locator("select[name=target] option", has_text="Rossi Giuseppe")
        dialog.locator("select[name=target]").select_option(value=rossi.get_attribute("value"))
        dialog.locator("#dialog-ok").click()
        card = page.locator("#alerts li.alert").first
        expect(card.locator(".contact")).to_contain_text("Giuseppe Rossi", timeout=3000)
        expect(card.locator(".reports")).to_contain_text("nipote del signor Rossi")
        expect(page.locator("#quarantine-count")).to_have_text("0", timeout=3000)

        assert server.signed_sms(sms("La vicina non risponde al telefono", "+393479998877")).status_code == 200
        urgent = page.locator("#alerts li.alert", has_text="Segnalazione urgente da numero non registrato")
        expect(urgent).to_be_visible(timeout=1000)
        expect(urgent.locator(".reports")).to_contain_text("non risponde", timeout=1000)
        expect(urgent.locator(".reports")).to_contain_text("Numero non registrato")
        expect(page.locator("#quarantine-count")).to_have_text("1", timeout=1000)
        browser.close()


def test_a_report_on_a_second_flat_while_the_first_thread_is_open_makes_a_second_alert(server: Server) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = _signed_in(browser, server.base)
        assert server.signed_sms(sms("AIUTO A2 è caduta", PAOLA)).status_code == 200
        expect(page.locator("#alerts li.alert")).to_have_count(1, timeout=1000)
        # "interno 7" is the flat the building knows as "INT. 7": Verdi, not the open thread's Bianco
        assert server.signed_sms(sms("anche la signora dell'interno 7 non risponde", PAOLA)).status_code == 200
        expect(page.locator("#alerts li.alert")).to_have_count(2, timeout=1000)
        expect(page.locator("#alerts li.alert", has_text="Anna Verdi")).to_contain_text("interno 7")
        expect(page.locator("#alerts li.alert", has_text="Maria Bianco")).not_to_contain_text("interno 7")
        browser.close()
