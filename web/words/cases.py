"""Interface words of the case file: the buttons of a case's life and its story in sentences."""

from __future__ import annotations

from web.i18n import register


def _both(it: str, en: str) -> dict[str, str]:
    return {"it": it, "en": en}


WORDS: dict[str, dict[str, str]] = {
    # a button for each state a case may move to
    "cs_go_APERTO": _both("Apri il caso", "Open the case"),
    "cs_go_PRESO_IN_CARICO": _both("Prendi in carico", "Take in charge"),
    "cs_go_SOSPESO": _both("Sospendi", "Suspend"),
    "cs_go_CHIUSO": _both("Chiudi il caso", "Close the case"),
    "cs_go_RIAPERTO": _both("Riapri il caso", "Reopen the case"),
    "cs_reason": _both("Motivo", "Reason"),
    "cs_reason_close": _both("Motivo di chiusura", "Reason for closing"),
    "cs_reason_optional": _both("Nota (facoltativa)", "Note (optional)"),
    "cs_life": _both("Vita del caso", "Case life"),
    "cs_next_phase": _both("Passa alla fase successiva", "Move to the next phase"),
    "cs_phase": _both("Fase", "Phase"),
    "cs_go_phase": _both("Cambia fase", "Change phase"),
    "cs_responsible": _both("Responsabile del caso", "Case manager"),
    "cs_team": _both("Équipe", "Care team"),
    "cs_consents": _both("Consensi", "Consents"),
    "cs_no_consents": _both("Nessun consenso registrato", "No consent recorded"),
    "cs_referrals": _both("Invii ad altri servizi", "Referrals"),
    "cs_no_referrals": _both("Nessun invio", "No referrals"),
    "cs_story": _both("Storia del caso", "Case story"),
    "cs_nothing_yet": _both("Ancora nulla", "Nothing yet"),
    "cs_closed_because": _both("Motivo di chiusura", "Closed because"),
}

register(WORDS)
