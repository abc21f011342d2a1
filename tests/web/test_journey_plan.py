"""In real Chromium, after the journey to a case taken in charge: the case manager records a Barthel and a
Lawton, puts the cooperative on the care team, writes a plan with a weekly visit by a named tutor set in
words; both organisations approve, the beneficiary signs, the contract downloads as a PDF with the person,
the intervention, the costs and the shares; the tutor sees the visit on the phone page at once. Pages only.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader

from tests import factories as f
from tests.web.test_cases_browser import ARGS, CHROMIUM
from tests.web.test_journey_registry import (
    ADMIN,
    COOPERATIVA,
    MUNICIPIO,
    PASSWORD,
    Installation,
    bootstrapped,
    record_intake,
    register_operator,
    register_organisation,
    register_person,
    sign_in,
    sign_out,
    take_in_charge,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["bootstrapped"]  # the fixture, shared with the registry journey
pytestmark = pytest.mark.browser


def record_scale(page: Page, case_url: str, kind: str) -> None:
    """Answer every item of a scale with its first choice and save it (the Barthel's wheelchair item is the
    alternative to walking: left empty)."""
    from playwright.sync_api import expect

    page.goto(f"{case_url}/valutazione?kind={kind}")
    for item in page.locator("#assessment-form fieldset.item:not(#item-uso_carrozzina)").all():
        radios = item.locator("input[type=radio]")
        if radios.count():
            radios.first.check()
        elif item.locator("select").count():
            item.locator("select").first.select_option(index=1)
        else:
            box = item.locator("input[type=number]").first
            box.fill(box.get_attribute("min") or "0")
    page.locator("#assessment-form button[type=submit]").click()
    expect(page.locator("p[role=status]")).to_have_text("Valutazione registrata")


def add_to_team(page: Page, case_url: str, organisation: str, operator: str, role: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{case_url}/equipe")
    form = page.locator("#add-member")
    for select, text in (("#member-org", organisation), ("#member-operator", operator), ("#member-role", role)):
        value = form.locator(f"{select} option", has_text=text).first.get_attribute("value")
        form.locator(select).select_option(value or "")
    form.get_by_role("button").click()
    expect(page.locator("#team")).to_contain_text(operator)


def write_weekly_visit(page: Page, case_url: str, provider: str, tutor: str) -> str:
    """The plan editor: a home-care visit every Tuesday at 10 by the named tutor; returns the plan's address."""
    from playwright.sync_api import expect

    page.goto(case_url)
    page.click("#new-plan")
    page.fill("#isee", "18750")
    page.fill("input[name=goal_0]", "Una visita a domicilio ogni settimana")
    box = page.locator("fieldset.intervention[data-i='0']")
    box.locator("select[name=service_0]").select_option("A2.07")
    box.locator("select[name=provider_0]").select_option(label=provider)
    box.locator("select[name=operator_0]").select_option(label=tutor)
    box.locator("select[name=repeat_0]").select_option("SETTIMANALE")
    box.locator("input[name=day_0][value=TU]").check()
    box.locator("input[name=at_0]").fill("10:00")
    expect(box.locator(".when-words")).to_have_text("ogni martedì alle 10")
    expect(box.locator(".when-dates")).to_contain_text("martedì")
    box.locator("input[name=hours_0]").fill("8")
    expect(page.locator("#total-cost")).to_have_text("110,40 €")
    expect(page.locator("#total-ente")).to_have_text("78,40 €")
    expect(page.locator("#total-user")).to_have_text("32,00 €")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#plan-status")).to_have_text("In bozza")
    return page.url


def test_a_plan_in_words_approved_signed_printed_and_on_the_tutors_phone(bootstrapped: Installation) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    base = bootstrapped.base
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()

        sign_in(page, base, *ADMIN)
        register_organisation(page, base, MUNICIPIO, "Municipio (servizi sociali)", "IX")
        register_organisation(page, base, COOPERATIVA, "Terzo settore (cooperativa, associazione)", "IX")
        register_operator(
            page, base, "Roberta Sala", "roberta.sala", "Assistente sociale (responsabile del caso)", MUNICIPIO
        )
        register_operator(page, base, "Luca Romano", "luca.romano", "Tutor", COOPERATIVA, phone="3471234567")
        register_operator(page, base, "Giulia Neri", "giulia.neri", "Operatore del terzo settore", COOPERATIVA)
        sign_out(page, base)

        sign_in(page, base, "roberta.sala", PASSWORD)
        person_url = register_person(page, base, "Rossi", "Maria", f.valid_cf(4343))
        case_url = record_intake(page, person_url, "Laura Rossi", "Vive sola e non riesce più a fare la spesa")
        take_in_charge(page, case_url, "primo colloquio a domicilio")
        record_scale(page, case_url, "BARTHEL")
        record_scale(page, case_url, "LAWTON_IADL")
        add_to_team(page, case_url, COOPERATIVA, "Luca Romano", "Tutor")
        add_to_team(page, case_url, COOPERATIVA, "Giulia Neri", "terzo settore")
        plan_url = write_weekly_visit(page, case_url, COOPERATIVA, "Luca Romano")
        expect(page.locator("#interventions")).to_contain_text("ogni martedì alle 10")
        expect(page.locator("#missing")).to_contain_text(COOPERATIVA)
        page.click("#approve")
        expect(page.locator("#approve")).to_have_count(0)
        sign_out(page, base)

        sign_in(page, base, "giulia.neri", PASSWORD)
        page.goto(plan_url)
        page.click("#approve")
        expect(page.locator("#missing")).to_have_text("Manca ancora: la firma del beneficiario")
        sign_out(page, base)

        sign_in(page, base, "roberta.sala", PASSWORD)
        page.goto(plan_url)
        page.fill("input[name=signed_by]", "Maria Rossi")
        page.click("#sign")
        expect(page.locator("#plan-status")).to_have_text("Attivo")
        with page.expect_download() as download:
            page.click("#contract-pdf")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages)
        for words in (
            "Rossi Maria",
            "Assistenza domiciliare",
            "ogni martedì alle 10",
            "110,40 €",
            "78,40 €",
            "32,00 €",
        ):
            assert words in text, words
        sign_out(page, base)

        # the tutor signs in and lands on the phone page: the week's visit is there without any plan pass
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "luca.romano")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/attivita")
        visit = page.locator("li.task", has_text="Rossi Maria").first
        expect(visit).to_contain_text("Visita domiciliare")
        browser.close()
