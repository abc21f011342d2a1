"""Words of the live board's cards and panels: the reports, the escalation story, the quarantine."""

from __future__ import annotations

from web.i18n import BOARD_KEYS, register


def _w(it: str, en: str) -> dict[str, str]:
    return {"it": it, "en": en}


WORDS: dict[str, dict[str, str]] = {
    "b_take": _w("Prendi in carico", "Take ownership"),
    "b_take_hint": _w("Presa visione e assegnazione a te", "Acknowledge and assign to you"),
    "b_ack_hint": _w("Ferma l'escalation; resta da assegnare", "Stops the escalation; still to be assigned"),
    "b_ack_label": _w("Presa visione (ferma l'escalation)", "Acknowledge (stops the escalation)"),
    "b_reports_title": _w("Segnalazioni", "Reports"),
    "b_show_all": _w("Mostra tutte", "Show all"),
    "b_unknown_sender": _w("Numero non registrato", "Unregistered number"),
    "b_sentinel": _w("Sentinella", "Sentinel"),
    "b_call": _w("Chiama", "Call"),
    "b_person": _w("Persona", "Person"),
    "b_address": _w("Indirizzo", "Address"),
    "b_file": _w("Apri il fascicolo", "Open the case file"),
    "b_story": _w("Escalation", "Escalation"),
    "b_step": _w("Passo", "Step"),
    "b_next_step": _w("Prossimo passo", "Next step"),
    "b_in": _w("tra", "in"),
    "b_now": _w("adesso", "now"),
    "b_nobody": _w("nessuno raggiungibile", "nobody reachable"),
    "b_escalation_stopped": _w("Escalation ferma", "Escalation stopped"),
    "b_escalation_over": _w("Escalation conclusa: nessun altro passo", "Escalation over: no further step"),
    "b_round": _w("giro", "round"),
    "b_quarantine": _w("SMS da numeri sconosciuti", "SMS from unknown numbers"),
    "b_quarantine_count": _w("in attesa di decisione", "awaiting a decision"),
    "b_attach": _w("Attribuisci", "Attach"),
    "b_attach_title": _w("Attribuisci il messaggio", "Attach the message"),
    "b_attach_to": _w("Di chi o di quale condominio parla", "Whom or which building it is about"),
    "b_register": _w("Registra come sentinella", "Register as a sentinel"),
    "b_discard": _w("Scarta", "Discard"),
    "b_name": _w("Nome della sentinella", "Sentinel's name"),
    "b_consent": _w("Ha dato il consenso a ricevere SMS", "Consented to receive SMS"),
    "b_whole_building": _w("tutto il condominio", "the whole building"),
    "b_has_alert": _w("allerta aperta", "alert raised"),
    "b_ch_BACHECA": _w("bacheca", "board"),
    "b_ch_PERSONALE": _w("notifica personale", "personal notification"),
    "b_ch_SMS": _w("SMS", "SMS"),
    "b_ch_VOCE": _w("chiamata", "voice call"),
    "b_ch_PUSH": _w("avviso sul dispositivo", "device notice"),
    "b_call_answered": _w("risposto", "answered"),
    "b_call_no-answer": _w("nessuna risposta", "no answer"),
    "b_call_busy": _w("occupato", "busy"),
    "b_call_failed": _w("non riuscita", "failed"),
    "b_call_canceled": _w("annullata", "cancelled"),
    "b_next_method": _w("si passa al recapito successivo", "moving to the next method"),
    "b_quiet": _w("in ore di quiete, non disturbato", "in quiet hours, not disturbed"),
    "b_dl_IN_ATTESA": _w("in attesa", "waiting"),
    "b_dl_IN_INVIO": _w("in invio", "sending"),
    "b_dl_INVIATA": _w("inviata", "sent"),
    "b_dl_CONSEGNATA": _w("consegnata", "delivered"),
    "b_dl_FALLITA": _w("non riuscita", "failed"),
    "b_dl_ANNULLATA": _w("annullata (presa visione)", "cancelled (acknowledged)"),
    "b_pr_TUTOR": _w("Tutor", "Tutor"),
    "b_pr_CASE_MANAGER": _w("Responsabile del caso", "Case manager"),
    "b_pr_COORDINATORE_DI_TURNO": _w("Coordinatore di turno", "Coordinator on duty"),
    "b_pr_OPERATORE_PUA": _w("Operatore PUA", "PUA officer"),
    "b_pr_MMG": _w("Medico di medicina generale", "General practitioner"),
    "b_pr_AMMINISTRATORE": _w("Amministratore", "Administrator"),
}

register(WORDS)
# the board page receives the board's words (web.i18n.BOARD_KEYS): these are among them
BOARD_KEYS.extend(key for key in WORDS if key not in BOARD_KEYS)
