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
    "today_and_overdue": {"it": "Oggi e in ritardo", "en": "Today and overdue"},
    "next_days": {"it": "Prossimi giorni", "en": "Next days"},
    "nothing_due": {"it": "Nessuna attività", "en": "Nothing due"},
    "overdue": {"it": "In ritardo", "en": "Overdue"},
    "code": {"it": "codice", "en": "code"},
    "outcome_note": {"it": "Esito (facoltativo)", "en": "Outcome note (optional)"},
    "mark_done": {"it": "Fatto", "en": "Done"},
    "workload": {"it": "Carico di lavoro dei tutor", "en": "Tutors' workload"},
    "operator": {"it": "Operatore", "en": "Operator"},
    "due_this_week": {"it": "In scadenza questa settimana", "en": "Due this week"},
    "open": {"it": "Aperte", "en": "Open"},
    "done_on_time": {"it": "Svolte in tempo", "en": "Done on time"},
    "done_late": {"it": "Svolte in ritardo", "en": "Done late"},
    "forbidden": {"it": "Accesso non consentito", "en": "Access denied"},
    "type_VISITA_DOMICILIARE": {"it": "Visita domiciliare", "en": "Home visit"},
    "type_TELEFONATA": {"it": "Telefonata", "en": "Phone call"},
    "type_ACCOMPAGNAMENTO": {"it": "Accompagnamento", "en": "Accompaniment"},
    "type_CONSEGNA_FARMACI": {"it": "Consegna farmaci", "en": "Medicine delivery"},
    "type_CONTROLLO_CONDOMINIO": {"it": "Controllo del condominio", "en": "Condominio check"},
    "type_VERIFICA_SEGNALAZIONE": {"it": "Verifica segnalazione", "en": "Follow up a report"},
    "type_ALTRO": {"it": "Attività", "en": "Task"},
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
