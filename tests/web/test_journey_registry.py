"""In real Chromium, from an empty database after `centrale bootstrap`: the administrator registers two
organisations and their operators; the case manager registers a person, records the intake and takes the
case in charge. Pages only: no API call, no command but the start and the bootstrap.

The steps are functions of a page so that a longer journey (the plan, the approvals, the contract) can
reuse them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests import factories as f
from tests.web.test_cases_browser import ARGS, CHROMIUM

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
CLI = [sys.executable, "-c", "from web.cli import main; main()"]
ADMIN = ("admin", "password-dell-amministratore")
PASSWORD = "password-degli-operatori"


@dataclass(frozen=True)
class Installation:
    """A started instance: its address and the database file behind it."""

    base: str
    database_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def bootstrapped(tmp_path: Path) -> Iterator[Installation]:
    """An empty database, migrated and bootstrapped with the command line, served by uvicorn."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"sqlite+aiosqlite:///{tmp_path / 'journey.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTRALE_", "TWILIO_"))}
    env |= {
        "CENTRALE_DATABASE_URL": url,
        "CENTRALE_ENVIRONMENT": "test",
        "CENTRALE_SCHEDULER_ENABLED": "false",
        "CENTRALE_PUBLIC_URL": base,
    }
    subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    bootstrap = [*CLI, "bootstrap", "--organisation", "Centrale Operativa Municipio IX", "--municipio", "IX"]
    bootstrap += ["--username", ADMIN[0], "--full-name", "Anna Amministratrice"]
    done = subprocess.run(
        bootstrap, env=env | {"CENTRALE_BOOTSTRAP_PASSWORD": ADMIN[1]}, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    server = [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1"]
    proc = subprocess.Popen([*server, "--port", str(port)], env=env)
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield Installation(base, url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- steps ------------------------------------------------------------------------------------------------


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def sign_out(page: Page, base: str) -> None:
    page.goto(f"{base}/persone")
    page.click("#sign-out")
    page.wait_for_url(f"{base}/")


def register_organisation(page: Page, base: str, name: str, kind: str, municipio: str | None = None) -> None:
    """The administrator adds an organisation (``kind`` as the page says it, e.g. "Terzo settore ...")."""
    from playwright.sync_api import expect

    page.goto(f"{base}/")
    page.get_by_role("link", name="Organizzazioni").click()
    form = page.locator("#new-org")
    form.get_by_label("Nome").fill(name)
    form.get_by_label("Tipo di organizzazione").select_option(label=kind)
    if municipio:
        form.get_by_label("Municipio").select_option(municipio)
    form.get_by_role("button", name="Salva").click()
    expect(page.locator("#organisations tbody tr", has_text=name)).to_contain_text(kind)


def register_operator(
    page: Page, base: str, full_name: str, username: str, role: str, organisation: str, phone: str | None = None
) -> None:
    """The administrator opens an account (``role`` as the page says it)."""
    from playwright.sync_api import expect

    page.goto(f"{base}/")
    page.get_by_role("link", name="Operatori").click()
    form = page.locator("#new-operator")
    form.get_by_label("Nome e cognome").fill(full_name)
    form.get_by_label("Nome utente").fill(username)
    form.get_by_label("Password (almeno 10 caratteri)").fill(PASSWORD)
    form.get_by_label("Ruolo").select_option(label=role)
    form.get_by_label("Organizzazione").select_option(label=organisation)
    if phone:
        form.locator("input[name=phone]").fill(phone)
    form.get_by_role("button", name="Salva").click()
    expect(page.locator("#operators tbody tr", has_text=full_name)).to_contain_text(organisation)


def register_person(page: Page, base: str, cognome: str, nome: str, codice_fiscale: str, **more: str) -> str:
    """The case manager registers a person; returns the person's page address."""
    from playwright.sync_api import expect

    page.goto(f"{base}/")
    page.get_by_role("link", name="Persone").click()
    page.click("#new-person")
    form = page.locator("#person-form")
    form.get_by_label("Codice fiscale").fill(codice_fiscale)
    form.get_by_label("Cognome").fill(cognome)
    form.get_by_label("Nome", exact=True).fill(nome)
    form.get_by_label("Sesso").select_option(label=more.get("sesso", "Femmina"))
    form.get_by_label("Data di nascita").fill(more.get("data_nascita", "1938-05-02"))
    form.get_by_label("Indirizzo di residenza").fill(more.get("indirizzo", "Via Laurentina 10, Roma"))
    form.get_by_label("Municipio").select_option(more.get("municipio", "IX"))
    form.get_by_label("Telefoni").fill(more.get("telefoni", "333 123 4567"))
    form.get_by_role("button", name="Salva").click()
    expect(page.locator("#person-name")).to_have_text(f"{cognome} {nome}")
    return page.url


def record_intake(page: Page, person_url: str, requested_by: str, need: str) -> str:
    """From the person's page, a scheda di accoglienza that proposes taking in charge; returns the case file."""
    from playwright.sync_api import expect

    page.goto(person_url)
    page.click("#new-intake")
    page.get_by_label("Chi ha fatto la richiesta").fill(requested_by)
    page.get_by_label("Relazione con la persona").fill("figlia")
    page.get_by_label("Bisogno espresso").fill(need)
    page.get_by_label("Fonte").select_option("FAMILIARE")
    page.get_by_label("Esito").select_option("PROPOSTA_PRESA_IN_CARICO")
    page.get_by_label("Categoria").select_option("ANZIANI")
    page.get_by_role("button", name="Registra").click()
    expect(page.locator("#case-state")).to_have_text("Aperto")
    return page.url


def take_in_charge(page: Page, case_url: str, note: str) -> None:
    from playwright.sync_api import expect

    page.goto(case_url)
    form = page.locator("#go-PRESO_IN_CARICO")
    form.get_by_label("Nota (facoltativa)").fill(note)
    form.get_by_role("button", name="Prendi in carico").click()
    expect(page.locator("#case-state")).to_have_text("Preso in carico")


# --- the journey ----------------------------------------------------------------------------------------

MUNICIPIO = "Municipio IX — Servizio sociale"
COOPERATIVA = "Cooperativa Il Faro"


def test_from_bootstrap_to_a_case_taken_in_charge(bootstrapped: Installation) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    base = bootstrapped.base
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()

        sign_in(page, base, *ADMIN)
        page.get_by_role("link", name="Catalogo servizi").click()  # bootstrap brought the SIUSS catalogue
        expect(page.locator("#svc-A2\\.07-title")).to_have_text("A2.07 — Assistenza domiciliare socio-assistenziale")
        register_organisation(page, base, MUNICIPIO, "Municipio (servizi sociali)", "IX")
        register_organisation(page, base, COOPERATIVA, "Terzo settore (cooperativa, associazione)", "IX")
        register_operator(
            page, base, "Roberta Sala", "roberta.sala", "Assistente sociale (responsabile del caso)", MUNICIPIO
        )
        register_operator(page, base, "Luca Romano", "luca.romano", "Tutor", COOPERATIVA, phone="3471234567")
        sign_out(page, base)

        sign_in(page, base, "roberta.sala", PASSWORD)
        person_url = register_person(page, base, "Rossi", "Maria", f.valid_cf(4242))
        case_url = record_intake(page, person_url, "Laura Rossi", "Vive sola e non riesce più a fare la spesa")
        take_in_charge(page, case_url, "primo colloquio a domicilio")

        story = page.locator("#timeline")
        expect(story).to_contain_text(
            "Scheda di accoglienza: Laura Rossi chiede «Vive sola e non riesce più a fare la spesa»"
        )
        expect(story).to_contain_text("Il caso passa da «Aperto» a «Preso in carico»: primo colloquio a domicilio.")
        expect(page.locator("#case-manager")).to_have_text("Roberta Sala")
        browser.close()
