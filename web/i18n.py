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
    "b_connected": {"it": "Collegato", "en": "Connected"},
    "b_connecting": {"it": "Connessione in corso…", "en": "Connecting…"},
    "b_disconnected": {"it": "Non collegato", "en": "Disconnected"},
    "b_stale": {
        "it": "Dati non aggiornati: connessione persa, nuovo tentativo in corso",
        "en": "Data not up to date: connection lost, retrying",
    },
    "b_open_alerts": {"it": "Allerte aperte", "en": "Open alerts"},
    "b_none": {"it": "Nessuna", "en": "None"},
    "b_not_available": {"it": "Non disponibile", "en": "Not available"},
    "b_severity": {"it": "Priorità", "en": "Severity"},
    "b_state": {"it": "Stato", "en": "State"},
    "b_source": {"it": "Origine", "en": "Source"},
    "b_municipio": {"it": "Municipio", "en": "Municipio"},
    "b_condominio": {"it": "Condominio", "en": "Condominio"},
    "b_all": {"it": "Tutti", "en": "All"},
    "b_age": {"it": "Aperta da", "en": "Open for"},
    "b_held_by": {"it": "In carico a", "en": "Held by"},
    "b_seen_by": {"it": "Presa visione da", "en": "Acknowledged by"},
    "b_acknowledge": {"it": "Presa visione", "en": "Acknowledge"},
    "b_assign_me": {"it": "Prendi in carico", "en": "Take it"},
    "b_comment": {"it": "Commenta", "en": "Comment"},
    "b_resolve": {"it": "Chiudi", "en": "Resolve"},
    "b_timeline": {"it": "Cronologia", "en": "Timeline"},
    "b_outcome": {"it": "Motivo di chiusura", "en": "Outcome"},
    "b_note": {"it": "Nota", "en": "Note"},
    "b_send": {"it": "Invia", "en": "Send"},
    "b_cancel": {"it": "Annulla", "en": "Cancel"},
    "b_overdue_tasks": {"it": "Attività in ritardo", "en": "Overdue tasks"},
    "b_checkins": {"it": "Check-in (24 ore)", "en": "Check-ins (24 hours)"},
    "b_answered": {"it": "Risposti", "en": "Answered"},
    "b_missing": {"it": "Mancati", "en": "Missing"},
    "b_waiting": {"it": "In attesa", "en": "Waiting"},
    "b_heat": {"it": "Ondata di calore", "en": "Heat wave"},
    "b_heat_0": {"it": "Livello 0: nessun rischio", "en": "Level 0: no risk"},
    "b_heat_1": {"it": "Livello 1: pre-allerta", "en": "Level 1: pre-alert"},
    "b_heat_2": {"it": "Livello 2: condizioni di rischio", "en": "Level 2: risk conditions"},
    "b_heat_3": {"it": "Livello 3: ondata di calore", "en": "Level 3: heat wave"},
    "b_opted_out": {"it": "Sentinelle che hanno chiesto STOP", "en": "Sentinels who opted out"},
    "b_sound": {"it": "Suono per le urgenti", "en": "Sound for urgent alerts"},
    "b_notifications": {"it": "Notifiche personali", "en": "Personal notifications"},
    "b_reports": {"it": "segnalazioni", "en": "reports"},
    "b_failed": {"it": "Operazione non riuscita", "en": "Action failed"},
    "sev_BASSA": {"it": "Bassa", "en": "Low"},
    "sev_MEDIA": {"it": "Media", "en": "Medium"},
    "sev_ALTA": {"it": "Alta", "en": "High"},
    "sev_URGENTE": {"it": "Urgente", "en": "Urgent"},
    "st_NUOVA": {"it": "Nuova", "en": "New"},
    "st_PRESA_VISIONE": {"it": "Presa visione", "en": "Acknowledged"},
    "st_RISOLTA": {"it": "Risolta", "en": "Resolved"},
    "st_ANNULLATA": {"it": "Annullata", "en": "Cancelled"},
    "src_SEGNALAZIONE_SENTINELLA": {"it": "Segnalazione sentinella", "en": "Sentinel report"},
    "src_CHECKIN_MANCATO": {"it": "Check-in mancato", "en": "Missed check-in"},
    "src_ATTIVITA_SCADUTA": {"it": "Attività scaduta", "en": "Overdue task"},
    "src_REVISIONE_PIANO": {"it": "Revisione del piano", "en": "Plan review"},
    "src_OPERATORE": {"it": "Operatore", "en": "Operator"},
    "src_SISTEMA": {"it": "Sistema", "en": "System"},
    "out_RISOLTA_SUL_POSTO": {"it": "Risolta sul posto", "en": "Resolved on site"},
    "out_INTERVENTO_ATTIVATO": {"it": "Intervento attivato", "en": "Intervention started"},
    "out_INVIO_118": {"it": "Invio 118", "en": "Sent to 118"},
    "out_FALSO_ALLARME": {"it": "Falso allarme", "en": "False alarm"},
    "out_PRESA_IN_CARICO_SERVIZIO": {"it": "Presa in carico dal servizio", "en": "Taken on by a service"},
    "out_ALTRO": {"it": "Altro", "en": "Other"},
    "language": {"it": "English", "en": "Italiano"},
}


BOARD_KEYS = [key for key in WORDS if key.startswith(("b_", "sev_", "st_", "src_", "out_"))]


def lang_of(conn: HTTPConnection) -> str:
    lang = conn.query_params.get("lang") or conn.cookies.get("lang") or "it"
    return lang if lang in LANGS else "it"


def translator(lang: str):  # type: ignore[no-untyped-def]
    def t(key: str) -> str:
        entry = WORDS.get(key)
        return entry.get(lang, entry["it"]) if entry else key

    return t
