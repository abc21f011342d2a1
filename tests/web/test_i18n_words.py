"""Words for codes, numbers, money, durations, counted nouns and articulated prepositions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from jinja2 import Environment

from tests.web.walk_common import domain_codes
from web.i18n import articulated, code_words, field_name, label
from web.pages.base import templates
from web.words.codes import BY_KIND, CODES
from web.words.formats import counted, duration, money, number


def test_every_code_of_the_domain_has_italian_and_english_words() -> None:
    missing = sorted(code for code in domain_codes() if code not in CODES)
    assert missing == [], f"add words for these codes to web/words/codes.py: {missing}"
    assert all(entry.get("it") and entry.get("en") for entry in [*CODES.values(), *BY_KIND.values()])


def test_labels_in_both_languages_and_by_meaning() -> None:
    assert label("COORDINATORE") == "Coordinatore/Coordinatrice"
    assert label("PROPOSTA_PRESA_IN_CARICO") == "Proposta di presa in carico"
    assert label("SERVIZI_SOCIALI") == "Servizi sociali"
    assert label("KATZ_ADL") == "ADL di Katz" and label("KATZ_ADL", "en") == "Katz ADL"
    assert label("MMG", kind="org") == "Studio di medicina generale" and label("MMG") == "Medico di medicina generale"
    assert label(2, kind="siuss_area") == "Disabilità e non autosufficienza"
    assert label("NON_PREVISTO") == "Non previsto"  # an unknown code still reads as words
    assert label("Via Roma 1") == "Via Roma 1" and label(None) == ""
    assert code_words("en")["TUTOR"] == "Tutor" and code_words("it")["org:MMG"] == "Studio di medicina generale"


def test_field_names_for_error_messages() -> None:
    assert field_name("codice_fiscale") == "codice fiscale"
    assert field_name("interventions.0.hours_per_month") == "ore al mese"
    assert field_name("goals.1") == "obiettivi"
    assert field_name("hours_per_month", "en") == "hours per month"


def test_italian_numbers_money_and_durations() -> None:
    assert number(1234.5) == "1.234,5" and number(Decimal("1234567.891"), 2) == "1.234.567,89"
    assert number(1234.5, lang="en") == "1,234.5" and number(12) == "12"
    assert money(Decimal("1234.56")) == "1.234,56 €" and money(Decimal("0.5"), "en") == "€0.50"
    assert money(None) == "—"
    assert duration(12) == "12 min" and duration(65) == "1 h 05" and duration(timedelta(minutes=60)) == "1 h 00"
    assert duration(timedelta(hours=50)) == "2 g 2 h" and duration(timedelta(days=3), "en") == "3 d"


def test_counted_nouns_and_articulated_prepositions() -> None:
    assert counted(1, "caso", "casi") == "1 caso" and counted(0, "caso", "casi") == "0 casi"
    assert counted(1200, "caso", "casi") == "1.200 casi"
    assert articulated("da", "la Centrale") == "dalla Centrale"
    assert articulated("da", "l'assistente sociale") == "dall'assistente sociale"
    assert articulated("di", "il medico") == "del medico" and articulated("a", "gli operatori") == "agli operatori"
    assert articulated("in", "lo studio") == "nello studio" and articulated("su", "i tutor") == "sui tutor"
    assert articulated("da", "Marco Bianchi") == "da Marco Bianchi"


def test_the_filters_speak_the_page_language() -> None:
    env: Environment = templates.env
    page = env.from_string("{{ r|label }} · {{ c|euro }} · {{ m|duration }} · {{ n|counted('caso', 'casi') }}")
    values = {"r": "CASE_MANAGER", "c": Decimal("1234.5"), "m": 125, "n": 1}
    assert page.render(lang="it", **values) == "Responsabile del caso · 1.234,50 € · 2 h 05 · 1 caso"
    assert page.render(lang="en", **values) == "Case manager · €1,234.50 · 2 h 05 · 1 caso"


def test_a_schedule_rule_is_said_in_words() -> None:
    page = templates.env.from_string("{{ rule|rule('REGOLARE') }}")
    assert page.render(lang="it", rule="FREQ=DAILY;BYHOUR=16") == "tutti i giorni alle 16"
    assert "FREQ" not in page.render(lang="en", rule="FREQ=WEEKLY;BYDAY=TU;BYHOUR=10")
