"""Interface words: Italian first, English available (``?lang=en`` or the ``lang`` cookie)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from web.words import codes

LANGS = ("it", "en")

WORDS: dict[str, dict[str, str]] = {
    "app_title": {"it": "Centrale Operativa di Distretto", "en": "District Operations Centre"},
    "sign_in": {"it": "Accedi", "en": "Sign in"},
    "sign_out": {"it": "Esci", "en": "Sign out"},
    "username": {"it": "Nome utente", "en": "Username"},
    "password": {"it": "Password", "en": "Password"},
    "bad_credentials": {"it": "Credenziali non valide", "en": "Invalid credentials"},
    "throttled": {
        "it": "Troppi tentativi: riprova tra qualche minuto",
        "en": "Too many attempts: retry in a few minutes",
    },
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
    "case_sections": {"it": "Parti del caso", "en": "Case sections"},
    "case_file": {"it": "Fascicolo", "en": "Case file"},
    "team": {"it": "Équipe", "en": "Care team"},
    "diary": {"it": "Diario", "en": "Diary"},
    "consents": {"it": "Consensi", "en": "Consents"},
    "referrals": {"it": "Invii", "en": "Referrals"},
    "referral": {"it": "Invio", "en": "Referral"},
    "case_manager": {"it": "Responsabile del caso", "en": "Case manager"},
    "organisation": {"it": "Organizzazione", "en": "Organisation"},
    "role_in_case": {"it": "Ruolo nel caso", "en": "Role in the case"},
    "since": {"it": "Dal", "en": "Since"},
    "actions": {"it": "Azioni", "en": "Actions"},
    "whole_org": {"it": "Tutta l'organizzazione", "en": "Whole organisation"},
    "responsible": {"it": "responsabile", "en": "responsible"},
    "remove": {"it": "Rimuovi", "en": "Remove"},
    "add_member": {"it": "Aggiungi un membro", "en": "Add a member"},
    "add": {"it": "Aggiungi", "en": "Add"},
    "remove_member": {"it": "Rimuovi dall'équipe", "en": "Remove from the care team"},
    "remove_warning": {
        "it": "Chi viene rimosso perde subito l'accesso al caso.",
        "en": "Whoever is removed loses access to the case at once.",
    },
    "confirm_remove": {"it": "Conferma la rimozione", "en": "Confirm removal"},
    "cancel": {"it": "Annulla", "en": "Cancel"},
    "kind": {"it": "Tipo", "en": "Kind"},
    "when": {"it": "Quando", "en": "When"},
    "text": {"it": "Testo", "en": "Text"},
    "add_entry": {"it": "Aggiungi al diario", "en": "Add to the diary"},
    "no_entries": {"it": "Nessuna voce", "en": "No entries"},
    "diary_COLLOQUIO": {"it": "Colloquio", "en": "Interview"},
    "diary_VISITA_DOMICILIARE": {"it": "Visita domiciliare", "en": "Home visit"},
    "diary_TELEFONATA": {"it": "Telefonata", "en": "Phone call"},
    "diary_RELAZIONE": {"it": "Relazione", "en": "Report"},
    "diary_NOTA": {"it": "Nota", "en": "Note"},
    "diary_CAMBIO_STATO": {"it": "Cambio di stato", "en": "State change"},
    "current_consents": {"it": "Consensi in vigore", "en": "Consents in force"},
    "record_consent": {"it": "Registra un consenso", "en": "Record a consent"},
    "purpose": {"it": "Finalità", "en": "Purpose"},
    "statement": {"it": "Dichiarazione", "en": "Statement"},
    "given": {"it": "Consenso dato", "en": "Given"},
    "refused": {"it": "Consenso negato", "en": "Refused"},
    "not_recorded": {"it": "non registrato", "en": "not recorded"},
    "signed_by": {"it": "Firmato da", "en": "Signed by"},
    "record": {"it": "Registra", "en": "Record"},
    "history": {"it": "Storico", "en": "History"},
    "revoked": {"it": "Sostituito il", "en": "Superseded on"},
    "purpose_CONDIVISIONE_ENTI": {"it": "Condivisione tra enti", "en": "Sharing among agencies"},
    "purpose_CONTATTO_SMS": {"it": "Contatto via SMS", "en": "SMS contact"},
    "purpose_SOTTOSCRIZIONE_PROGETTO": {"it": "Sottoscrizione del progetto", "en": "Plan signature"},
    "to_org": {"it": "Destinatario", "en": "To"},
    "from_org": {"it": "Mittente", "en": "From"},
    "state": {"it": "Stato", "en": "State"},
    "reason": {"it": "Motivo", "en": "Reason"},
    "override": {"it": "Deroga al consenso", "en": "Consent override"},
    "no_referrals": {"it": "Nessun invio", "en": "No referrals"},
    "new_referral": {"it": "Nuovo invio", "en": "New referral"},
    "on_team": {"it": "nell'équipe", "en": "on the team"},
    "shared_sections": {"it": "Cosa condividere", "en": "What to share"},
    "override_reason": {"it": "Motivo della deroga al consenso", "en": "Reason to override consent"},
    "override_help": {
        "it": "Manca il consenso alla condivisione: solo il responsabile del caso può inviare fuori "
        "dall'équipe, indicando il motivo (registrato).",
        "en": "No consent to share: only the case manager may refer outside the team, giving a reason (audited).",
    },
    "send_referral": {"it": "Invia", "en": "Send referral"},
    "to_answer": {"it": "da rispondere", "en": "to answer"},
    "shared_with_you": {"it": "Condiviso con te", "en": "Shared with you"},
    "step_ACCETTATO": {"it": "Accetta", "en": "Accept"},
    "step_RIFIUTATO": {"it": "Rifiuta", "en": "Reject"},
    "step_COMPLETATO": {"it": "Completa", "en": "Complete"},
    "plan": {"it": "Progetto", "en": "Plan"},
    "version": {"it": "versione", "en": "version"},
    "section_person": {"it": "Anagrafica", "en": "Person"},
    "section_household": {"it": "Nucleo familiare", "en": "Household"},
    "section_network": {"it": "Rete", "en": "Network"},
    "section_team": {"it": "Équipe", "en": "Care team"},
    "section_assessments": {"it": "Valutazioni", "en": "Assessments"},
    "section_plan": {"it": "Progetto", "en": "Plan"},
    "section_referrals": {"it": "Invii", "en": "Referrals"},
    "section_diary": {"it": "Diario", "en": "Diary"},
    "section_history": {"it": "Storia del caso", "en": "Case history"},
    "b_connected": {"it": "Collegato", "en": "Connected"},
    "b_connecting": {"it": "Connessione in corso…", "en": "Connecting…"},
    "b_disconnected": {"it": "Non collegato", "en": "Disconnected"},
    "b_stale": {
        "it": "Dati non aggiornati: connessione persa, nuovo tentativo in corso",
        "en": "Data not up to date: connection lost, retrying",
    },
    "b_open_alerts": {"it": "Allerte aperte", "en": "Open alerts"},
    "b_none": {"it": "Nessuna", "en": "None"},
    "b_of": {"it": "di", "en": "of"},
    "b_shown": {"it": "Mostrate", "en": "Showing"},
    "b_more": {"it": "Mostra altre", "en": "Show more"},
    "b_by_severity": {"it": "Allerte aperte per priorità", "en": "Open alerts by severity"},
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
    "b_operator": {"it": "Operatore", "en": "Operator"},
    "b_outcome": {"it": "Motivo di chiusura", "en": "Outcome"},
    "b_note": {"it": "Nota", "en": "Note"},
    "b_send": {"it": "Invia", "en": "Send"},
    "b_cancel": {"it": "Annulla", "en": "Cancel"},
    "b_overdue_tasks": {"it": "Attività in ritardo", "en": "Overdue tasks"},
    "b_done_today": {"it": "Attività svolte oggi", "en": "Tasks done today"},
    "b_done": {"it": "Svolta", "en": "Done"},
    "b_done_late": {"it": "in ritardo", "en": "late"},
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
    "src_DIMISSIONE_PROTETTA": {"it": "Dimissione protetta", "en": "Protected discharge"},
    "out_RISOLTA_SUL_POSTO": {"it": "Risolta sul posto", "en": "Resolved on site"},
    "out_INTERVENTO_ATTIVATO": {"it": "Intervento attivato", "en": "Intervention started"},
    "out_INVIO_118": {"it": "Invio 118", "en": "Sent to 118"},
    "out_FALSO_ALLARME": {"it": "Falso allarme", "en": "False alarm"},
    "out_PRESA_IN_CARICO_SERVIZIO": {"it": "Presa in carico dal servizio", "en": "Taken on by a service"},
    "out_ALTRO": {"it": "Altro", "en": "Other"},
    "language": {"it": "English", "en": "Italiano"},
    "nav_label": {"it": "Sezioni", "en": "Sections"},
    "nav_referrals": {"it": "Invii", "en": "Referrals"},
    "nav_workload": {"it": "Carico tutor", "en": "Tutors' workload"},
    "nav_reports": {"it": "Report", "en": "Reports"},
    "err_400": {"it": "Richiesta non valida", "en": "Bad request"},
    "err_400_help": {"it": "La richiesta non si può eseguire così.", "en": "The request cannot be carried out."},
    "err_401": {"it": "Accesso richiesto", "en": "Sign-in required"},
    "err_401_help": {"it": "Accedi per aprire questa pagina.", "en": "Sign in to open this page."},
    "err_403": {"it": "Accesso non consentito", "en": "Access denied"},
    "err_403_help": {
        "it": "Il tuo ruolo non permette di aprire questa pagina. Il tentativo è stato registrato.",
        "en": "Your role may not open this page. The attempt was recorded.",
    },
    "err_404": {"it": "Pagina non trovata", "en": "Page not found"},
    "err_404_help": {
        "it": "La pagina o l'elemento cercato non esiste, o non è più disponibile.",
        "en": "The page or item does not exist, or is no longer available.",
    },
    "err_409": {"it": "Operazione in conflitto", "en": "Conflict"},
    "err_409_help": {
        "it": "Lo stato è cambiato nel frattempo: ricarica la pagina e riprova.",
        "en": "The state changed meanwhile: reload the page and retry.",
    },
    "err_413": {"it": "Dati troppo grandi", "en": "Too large"},
    "err_413_help": {"it": "Quanto inviato supera il limite.", "en": "What was sent is over the limit."},
    "err_422": {"it": "Dati non validi", "en": "Invalid input"},
    "err_422_help": {"it": "Controlla i campi e riprova.", "en": "Check the fields and retry."},
    "err_429": {"it": "Troppe richieste", "en": "Too many requests"},
    "err_429_help": {"it": "Riprova tra qualche minuto.", "en": "Retry in a few minutes."},
    "err_500": {"it": "Errore interno", "en": "Internal error"},
    "err_500_help": {
        "it": "Qualcosa non ha funzionato. L'errore è stato registrato: riprova tra poco.",
        "en": "Something went wrong. The error was logged: retry shortly.",
    },
    "err_503": {"it": "Servizio momentaneamente non disponibile", "en": "Service unavailable"},
    "err_503_help": {"it": "Riprova tra qualche secondo.", "en": "Retry in a few seconds."},
    "err_home": {"it": "Torna alla pagina iniziale", "en": "Back to the home page"},
    "skip_to_main": {"it": "Vai al contenuto", "en": "Skip to content"},
    "nav_account": {"it": "Ricerca, utente e lingua", "en": "Search, user and language"},
}


def register(words: dict[str, dict[str, str]]) -> None:
    """Add a domain's interface words (``web/words/<domain>.py`` calls this); a key may be defined once."""
    for key, entry in words.items():
        if key in WORDS and WORDS[key] != entry:
            raise ValueError(f"interface word {key!r} is defined twice")
        if "it" not in entry:
            raise ValueError(f"interface word {key!r} has no Italian")
        WORDS[key] = entry


BOARD_KEYS = [key for key in WORDS if key.startswith(("b_", "sev_", "st_", "src_", "out_"))]


def label(code: object, lang: str = "it", kind: str | None = None) -> str:
    """The words for a domain code (``COORDINATORE`` -> "Coordinatore/Coordinatrice"); ``kind`` picks the
    meaning of a code that names several things (``label("MMG", kind="org")``). An unknown code is
    shown as words (``FOO_BAR`` -> "Foo bar") rather than as a code."""
    if code is None or code == "":
        return ""
    text = str(getattr(code, "value", code))
    entry = (kind and codes.BY_KIND.get((kind, text))) or codes.CODES.get(text)
    if entry:
        return entry.get(lang, entry["it"])
    return text.replace("_", " ").capitalize() if text.isupper() and "_" in text else text


def code_words(lang: str) -> dict[str, str]:
    """Every code's words in ``lang``, for a page's script (``kind:CODE`` keys for the words that depend on it)."""
    words = {code: entry.get(lang, entry["it"]) for code, entry in codes.CODES.items()}
    words.update({f"{kind}:{code}": entry.get(lang, entry["it"]) for (kind, code), entry in codes.BY_KIND.items()})
    return words


def field_name(field: str, lang: str = "it") -> str:
    """A field's name in words, for an error message (``codice_fiscale`` -> "codice fiscale")."""
    last = field.split(".")[-1] if field else ""
    entry = codes.FIELDS.get(field) or codes.FIELDS.get(last)
    if entry:
        return entry.get(lang, entry["it"])
    if last.isdigit():  # an item of a list: name the list
        return field_name(".".join(field.split(".")[:-1]), lang) if "." in field else last
    return last.replace("_", " ") or ("richiesta" if lang == "it" else "request")


#: the articulated prepositions: (preposition, article) -> the joined word
_JOINED = {
    (prep, article): stem + ending
    for prep, stem in (("di", "de"), ("a", "a"), ("da", "da"), ("in", "ne"), ("su", "su"))
    for article, ending in (("il", "l"), ("lo", "llo"), ("la", "lla"), ("l'", "ll'"), ("gli", "gli"), ("le", "lle"))
} | {("di", "i"): "dei", ("a", "i"): "ai", ("da", "i"): "dai", ("in", "i"): "nei", ("su", "i"): "sui"}


def articulated(preposition: str, phrase: str) -> str:
    """The preposition joined to the article that starts ``phrase``: ("da", "la Centrale") -> "dalla Centrale"."""
    if phrase[:2].lower() == "l'":
        article, rest = "l'", phrase[2:]
    else:
        article, _, rest = phrase.partition(" ")
    joined = _JOINED.get((preposition, article.lower()))
    if joined is None:
        return f"{preposition} {phrase}"
    return joined + rest if joined.endswith("'") else f"{joined} {rest}"


def lang_of(conn: HTTPConnection) -> str:
    lang = conn.query_params.get("lang") or conn.cookies.get("lang") or "it"
    return lang if lang in LANGS else "it"


def translator(lang: str):  # type: ignore[no-untyped-def]
    def t(key: str) -> str:
        entry = WORDS.get(key)
        return entry.get(lang, entry["it"]) if entry else key

    return t
