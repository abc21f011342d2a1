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
    "case_sections": {"it": "Parti del caso", "en": "Case sections"},
    "case_file": {"it": "Fascicolo", "en": "Case file"},
    "team": {"it": "Équipe", "en": "Care team"},
    "diary": {"it": "Diario", "en": "Diary"},
    "consents": {"it": "Consensi", "en": "Consents"},
    "referrals": {"it": "Invii", "en": "Referrals"},
    "referral": {"it": "Invio", "en": "Referral"},
    "case_manager": {"it": "Responsabile del caso", "en": "Case manager"},
    "organisation": {"it": "Organizzazione", "en": "Organisation"},
    "operator": {"it": "Operatore", "en": "Operator"},
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
