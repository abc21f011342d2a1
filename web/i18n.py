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
