"""In real Chromium: a case manager records a Katz ADL assessment and adds a team member from the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from centrale.demo import DEMO_PASSWORD
from tests.web.test_cases_browser import ARGS, CHROMIUM, server  # noqa: F401 - the live-server fixture

pytestmark = pytest.mark.browser


def test_katz_assessment_and_new_team_member(server: str) -> None:  # noqa: F811
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
        page.goto(f"{server}/casi")
        page.locator("table.grid tbody a").first.click()
        page.click("#assess-KATZ_ADL")
        expect(page.locator("h1")).to_contain_text("ADL di Katz")

        # forget one item: the server names it and the page puts the error beside it
        answers = {
            "bagno": "Dipendente",
            "vestirsi": "Dipendente",
            "toilette": "Indipendente",
            "spostarsi": "Indipendente",
            "continenza": "Indipendente",
        }
        for item, label in answers.items():
            page.locator(f"#item-{item}").get_by_label(label, exact=True).check()
        page.click("#assessment-form button[type=submit]")
        expect(page.locator("#err-alimentazione")).to_contain_text("risposta mancante")
        expect(page.locator("#item-vestirsi").get_by_label("Dipendente", exact=True)).to_be_checked()

        # with the keyboard: focus the first option of the missing item and choose it with Space
        page.locator("#item-alimentazione").get_by_label("Indipendente", exact=True).focus()
        page.keyboard.press("Space")
        page.click("#assessment-form button[type=submit]")
        expect(page.locator("#total")).to_have_text("4")
        expect(page.locator("#band")).to_have_text("2 funzioni perse")

        page.click("text=Torna al fascicolo")
        page.click("nav.tabs >> text=Équipe")
        expect(page.locator("#case-manager")).to_have_text("Roberta Sala")
        association = "Associazione Vicini di Casa ODV (Terzo settore)"
        page.get_by_label("Organizzazione", exact=True).select_option(label=association)
        page.get_by_label("Operatore", exact=True).select_option(label="Luca Romano — Associazione Vicini di Casa ODV")
        page.get_by_label("Ruolo nel caso", exact=True).select_option("TUTOR")
        page.click("#add-member button[type=submit]")
        row = page.locator("#team tbody tr", has_text="Luca Romano")
        expect(row).to_contain_text("Associazione Vicini di Casa ODV")
        expect(row).to_contain_text("Tutor")

        # and removed again, after a confirmation
        row.get_by_role("link", name="Rimuovi").click()
        page.click("#confirm-remove")
        expect(page.locator("#team tbody tr", has_text="Luca Romano")).to_have_count(0)
        browser.close()
