"""Interface words: Italian first, English available (``?lang=en`` or the ``lang`` cookie)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

LANGS = ("it", "en")

WORDS: dict[str, dict[str, str]] = {
    "app_title": {"it": "Centrale Operativa di Distretto", "en": "District Operations Centre"},
    "sign_in": {"it": "Accedi", "en": "Sign in"},
    "sign_out": {"it": "Esci", "en": "Sign out"},
    "username": {"it": "Nome utente", "en": "Username"},
    "password": {"it": "Password", "en": "Password"},
    "bad_credentials": {"it": "Credenziali non valide", "en": "Invalid credentials"},
    "throttled": {"it": "Troppi tentativi: riprova tra un minuto", "en": "Too many attempts: retry in a minute"},
    "board": {"it": "Quadro operativo", "en": "Live board"},
    "welcome": {"it": "Benvenuto", "en": "Welcome"},
    "alerts": {"it": "Allerte", "en": "Alerts"},
    "cases": {"it": "Casi", "en": "Cases"},
    "my_tasks": {"it": "Le mie attività", "en": "My tasks"},
    "case": {"it": "caso", "en": "case"},
    "scales": {"it": "Scale di valutazione", "en": "Assessment scales"},
    "check_item": {"it": "Controllare la voce", "en": "Check the item"},
    "score": {"it": "Punteggio", "en": "Score"},
    "notes": {"it": "Note", "en": "Notes"},
    "save_assessment": {"it": "Salva valutazione", "en": "Save assessment"},
    "back_to_file": {"it": "Torna al fascicolo", "en": "Back to the case file"},
    "assessment_saved": {"it": "Valutazione registrata", "en": "Assessment recorded"},
    "total": {"it": "Totale", "en": "Total"},
    "band": {"it": "Fascia", "en": "Band"},
    "lost_functions": {"it": "Funzioni perse", "en": "Functions lost"},
    "assessor": {"it": "Valutatore", "en": "Assessor"},
    "date": {"it": "Data", "en": "Date"},
    "item": {"it": "Voce", "en": "Item"},
    "answer": {"it": "Risposta", "en": "Answer"},
    "language": {"it": "English", "en": "Italiano"},
}


def lang_of(conn: HTTPConnection) -> str:
    lang = conn.query_params.get("lang") or conn.cookies.get("lang") or "it"
    return lang if lang in LANGS else "it"


def translator(lang: str):  # type: ignore[no-untyped-def]
    def t(key: str) -> str:
        entry = WORDS.get(key)
        return entry.get(lang, entry["it"]) if entry else key

    return t
