"""In real Chromium, from an empty database after `centrale bootstrap`: the PUA records a protected discharge
on the page; the board's lane "Dimissioni in corso" shows it within a second; the case manager completes
the milestones from the file; the lane empties; the reports page shows the transition's figures. Pages only.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from centrale.clock import to_rome, utcnow
from tests import factories as f
from tests.web.test_cases_browser import ARGS, CHROMIUM
from tests.web.test_journey_registry import (
    ADMIN,
    MUNICIPIO,
    PASSWORD,
    Installation,
    bootstrapped,
    register_operator,
    register_organisation,
    sign_in,
    sign_out,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["bootstrapped"]  # the fixture, shared with the registry journey
pytestmark = pytest.mark.browser
PUA = "ASL Roma 2 — PUA Municipio IX"
HOSPITAL = "Ospedale Sant'Eugenio"
LIVE_MS = 1000  # the acceptance bound: the lane shows a notice within a second


def record_notice(page: Page, base: str, codice_fiscale: str, expected: str) -> None:
    """The PUA fills "Nuova dimissione protetta" for a person not yet registered."""
    from playwright.sync_api import expect

    page.goto(f"{base}/")
    page.locator("nav.site").get_by_role("link", name="Nuova dimissione protetta").click()
    form = page.locator("#discharge-form")
    form.get_by_label("Codice fiscale").fill(codice_fiscale)
    form.get_by_label("Cognome").fill("Rossi")
    form.get_by_label("Nome", exact=True).fill("Anna")
    form.get_by_label("Sesso").select_option(label="Femmina")
    form.get_by_label("Data di nascita").fill("1938-04-02")
    form.get_by_label("Municipio").select_option("IX")
    form.get_by_label("Ospedale").select_option(label=HOSPITAL)
    form.get_by_label("Reparto").fill("Medicina interna")
    form.get_by_label("Data prevista di dimissione").fill(expected)
    form.get_by_label("Assistenza domiciliare").check()
    form.get_by_label("Avvisare le sentinelle del condominio").check()
    form.get_by_label("Nome del referente").fill("Inf. Bruni")
    form.get_by_label("Telefono del referente").fill("06 5100 1234")
    form.get_by_label("Responsabile del caso").select_option(label="Roberta Sala")
    form.get_by_role("button", name="Registra la dimissione").click()
    expect(page.locator("#milestones")).to_contain_text("Valutazione multidimensionale prenotata")


def test_a_discharge_from_notice_to_home_on_the_pages_the_board_and_the_reports(bootstrapped: Installation) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    base = bootstrapped.base
    expected = to_rome(utcnow()).date() + timedelta(days=4)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        sign_in(page, base, *ADMIN)
        register_organisation(page, base, PUA, "ASL — Punto unico di accesso", "IX")
        register_organisation(page, base, HOSPITAL, "Ospedale (invia le dimissioni protette)", "IX")
        register_organisation(page, base, MUNICIPIO, "Municipio (servizi sociali)", "IX")
        register_operator(page, base, "Paola Greco", "paola.greco", "Operatore PUA", PUA)
        register_operator(
            page, base, "Roberta Sala", "roberta.sala", "Assistente sociale (responsabile del caso)", MUNICIPIO
        )
        register_operator(
            page, base, "Carlo Neri", "carlo.neri", "Coordinatore della Centrale", "Centrale Operativa Municipio IX"
        )
        sign_out(page, base)
        page.close()

        pua = browser.new_context()
        board = pua.new_page()
        sign_in(board, base, "paola.greco", PASSWORD)  # lands on the board
        expect(board.locator("#conn")).to_have_attribute("data-state", "connected")
        lane = board.locator("#discharges")
        expect(lane).to_contain_text("Nessuna dimissione in corso")
        form = pua.new_page()
        record_notice(form, base, f.valid_cf(5151), expected.isoformat())
        file_url = form.url
        expect(lane).to_contain_text("Rossi A.", timeout=LIVE_MS)
        expect(lane).to_contain_text("dimissione tra 4 giorni")
        expect(lane).to_contain_text("Manca: Valutazione multidimensionale prenotata entro")
        expect(lane.get_by_role("link", name="Chiama il reparto (Inf. Bruni) 0651001234")).to_have_attribute(
            "href", "tel:0651001234"
        )
        expect(lane.get_by_role("link", name="Apri il fascicolo")).to_have_attribute(
            "href", file_url.removeprefix(base)
        )

        manager = browser.new_context().new_page()
        sign_in(manager, base, "roberta.sala", PASSWORD)
        manager.goto(file_url)
        for _ in range(6):  # every milestone after the notice, in order
            row = manager.locator("#milestones tbody tr", has=manager.locator("button.complete")).first
            name = row.locator("th").inner_text()
            row.get_by_role("button").click()
            expect(manager.locator("#milestones tbody tr", has_text=name)).to_contain_text("fatto il")
        expect(manager.locator("#discharge-closed")).to_have_text("Tutti i passaggi sono fatti.")
        expect(lane).to_contain_text("Nessuna dimissione in corso", timeout=LIVE_MS)

        coordinator = browser.new_context().new_page()
        sign_in(coordinator, base, "carlo.neri", PASSWORD)
        coordinator.goto(f"{base}/reports")
        row = coordinator.locator("#dimissioni_ospedale tbody tr", has_text=HOSPITAL)
        expect(row.locator("td")).to_have_text([HOSPITAL, "1", "0", "100,0 %", "0", "100,0 %"])
        expect(coordinator.locator("#dimissioni_municipio tbody tr", has_text="IX").locator("td").nth(1)).to_have_text(
            "1"
        )
        expect(coordinator.locator("#dimissioni_settimanale svg").first).to_be_visible()
        browser.close()
