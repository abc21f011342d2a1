"""axe-core inside Chromium: no serious or critical accessibility violation on any page, as any role; and
the text the pages' scripts write (the board's cards) says words, not codes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from centrale.db import Database
from centrale.operators.models import Role
from centrale.settings import Settings
from tests import factories as f
from tests.web.live_server import live_app
from tests.web.test_cases_browser import ARGS, CHROMIUM
from tests.web.walk_common import domain_codes, fill, operator_of, page_routes, problems_in, seed_district
from web.api.deps import COOKIE_NAME
from web.app import create_app
from web.schema import metadata

pytestmark = pytest.mark.browser
Pages = dict[Role, list[str]]
DESK: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


async def _prepare(url: str) -> tuple[dict[Role, str], Pages]:
    """The demo district in a file; a session for each role, and the pages each role may open."""
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    app = create_app(Settings(environment="test", database_url=url, scheduler_enabled=False), database=db)
    tokens: dict[Role, str] = {}
    pages: Pages = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Origin": "http://testserver"}
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as client,
            db.sessionmaker() as session,
        ):
            district = await seed_district(session, client)
            paths = [p for p in [await fill(session, t) for t in page_routes(app)] if p is not None]
            for role in Role:
                tokens[role] = await f.token_for(session, await operator_of(session, district, role))
                client.cookies.set(COOKIE_NAME, tokens[role])
                opened = [(p, await client.get(p, follow_redirects=True)) for p in paths]
                whole = [(p, r) for p, r in opened if "<html" in r.text]  # not a script's fragment or JSON
                pages[role] = sorted({str(r.url.path) for _p, r in whole if r.status_code == 200})
                pages[role] += [p for p, r in whole if r.status_code == 403][:1]  # the refusal page, once
    await db.dispose()
    return tokens, pages


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[Role, str], Pages]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'axe.sqlite3'}"
    tokens, pages = asyncio.run(_prepare(url))
    with live_app(url) as base:
        yield base, tokens, pages


#: the text a person reads, as written (before CSS's text-transform makes "Alta" look like "ALTA")
VISIBLE_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, template, noscript")) continue;
    if (parent.getClientRects().length) parts.push(node.textContent);
  }
  return parts.join(" ");
}"""


def _serious(results: dict) -> list[str]:  # type: ignore[type-arg]
    found = []
    for violation in results.get("violations", []):
        if violation.get("impact") in ("serious", "critical"):
            targets = [str(node.get("target")) for node in violation.get("nodes", [])][:3]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {', '.join(targets)}")
    return found


def test_no_serious_or_critical_violation_on_any_page_as_any_role(
    server: tuple[str, dict[Role, str], Pages],
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    base, tokens, pages = server
    assert all("/" in pages[role] or "/attivita" in pages[role] for role in Role)
    axe = Axe()
    codes = domain_codes()
    failures: list[str] = []
    checked = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # every role at a desk; the tutor on a phone too, where the day's tasks are done
        runs = [(role, DESK) for role in Role] + [(Role.TUTOR, PHONE)]
        for role, device in runs:
            context = browser.new_context(**device)
            context.add_cookies([{"name": COOKIE_NAME, "value": tokens[role], "url": base}])
            page = context.new_page()
            for path in [*pages[role], "/nessuna-pagina"]:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("load")
                page.wait_for_timeout(150)  # the scripts' first drawing (the board's cards)
                where = f"{role} {path} ({device['viewport']['width']} px)"
                failures += [f"{where}: {line}" for line in _serious(axe.run(page).response)]
                text = page.evaluate(VISIBLE_TEXT)
                failures += [f"{where}: {problem}" for problem in problems_in(text, codes)]
                checked += 1
            context.close()
        browser.close()
    assert checked > 5 * len(Role)
    assert failures == [], "\n".join(failures)


def _tab_to(page, selector: str, limit: int = 300) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element matches ``selector`` (as a person without a mouse does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_coordinator_takes_and_closes_an_alert_with_the_keyboard_alone(
    server: tuple[str, dict[Role, str], Pages],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, tokens, _pages = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": COOKIE_NAME, "value": tokens[Role.COORDINATORE], "url": base}])
        page = context.new_page()
        page.goto(f"{base}/")
        expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(page.locator('#alerts li.alert[data-state="NUOVA"]').first).to_be_visible()

        _tab_to(page, '#alerts li.alert[data-state="NUOVA"] button.take')
        alert_id = page.evaluate("() => document.activeElement.closest('li.alert').dataset.id")
        page.keyboard.press("Enter")
        card = page.locator(f'#alerts li.alert[data-id="{alert_id}"]')
        expect(card).to_have_attribute("data-state", "PRESA_VISIONE")
        expect(card).to_contain_text("Giulia Marchetti")

        _tab_to(page, f'#alerts li.alert[data-id="{alert_id}"] button.resolve')
        page.keyboard.press("Enter")
        expect(page.locator("#dialog")).to_be_visible()
        _tab_to(page, "#dialog select[name=outcome]", limit=5)
        page.keyboard.press("ArrowDown")  # the second outcome: "Intervento attivato"
        _tab_to(page, "#dialog textarea[name=note]", limit=5)
        page.keyboard.type("Visita del tutor, tutto a posto")
        _tab_to(page, "#dialog-ok", limit=5)
        page.keyboard.press("Enter")
        expect(card).to_have_count(0)
        browser.close()
