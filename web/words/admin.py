"""Words of the Centrale administration pages: policies, check-ins, heat wave, coverage, interoperability."""

from __future__ import annotations

from web.i18n import register


def _w(it: str, en: str) -> dict[str, str]:
    return {"it": it, "en": en}


WORDS: dict[str, dict[str, str]] = {
    "ad_nav": _w("Amministrazione", "Administration"),
    "ad_title": _w("Amministrazione della Centrale", "Centrale administration"),
    "ad_policies": _w("Politiche di escalation", "Escalation policies"),
    "ad_new_policy": _w("Nuova politica", "New policy"),
    "ad_policy": _w("Politica", "Policy"),
    "ad_name": _w("Nome", "Name"),
    "ad_severity": _w("Priorità", "Severity"),
    "ad_source": _w("Origine", "Source"),
    "ad_any": _w("qualsiasi", "any"),
    "ad_repeat_last": _w("Ripeti l'ultimo passo (volte)", "Repeat the last step (times)"),
    "ad_ack_timeout": _w(
        "Presa visione senza chiusura: riattiva dopo (minuti)",
        "Acknowledged but not resolved: re-trigger after (minutes)",
    ),
    "ad_active": _w("Attiva", "Active"),
    "ad_inactive": _w("Disattivata", "Inactive"),
    "ad_steps": _w("Passi", "Steps"),
    "ad_step": _w("Passo", "Step"),
    "ad_new_step": _w("Aggiungi un passo (facoltativo)", "Add a step (optional)"),
    "ad_role": _w("Chi avvisare", "Who to notify"),
    "ad_no_step": _w("— nessun passo —", "— no step —"),
    "ad_channels": _w("Come", "How"),
    "ad_wait": _w("Poi attendi (minuti)", "Then wait (minutes)"),
    "ad_office": _w("Solo in orario d'ufficio (lun–ven 8–18, festivi esclusi)", "Office hours only (Mon–Fri 8–18)"),
    "ad_save": _w("Salva", "Save"),
    "ad_saved": _w("Modifiche salvate.", "Changes saved."),
    "ad_snapshot_note": _w(
        "Le allerte già aperte seguono la politica com'era quando si sono aperte; le modifiche valgono per le "
        "allerte nuove.",
        "Alerts already open follow the policy as it was when they opened; changes apply to new alerts.",
    ),
    "ad_preview": _w("Chi verrebbe avvisato adesso", "Who would be reached now"),
    "ad_depends": _w(
        "dipende dall'allerta (il caso, il condominio o la persona)", "depends on the alert (case, building, person)"
    ),
    "ad_nobody": _w("nessuno: manca chi è di turno", "nobody: no one is on duty"),
    "ad_waits_until": _w("ufficio chiuso: partirebbe", "office closed: it would start"),
    "ad_after": _w("dopo", "after"),
    "ad_minutes": _w("minuti", "minutes"),
    "ad_forbidden": _w(
        "Questa pagina è riservata all'amministratore della Centrale.", "This page is for the Centrale administrator."
    ),
    "ad_back": _w("Torna all'amministrazione", "Back to administration"),
    "ad_checkins": _w("Check-in e ondata di calore", "Check-ins and heat wave"),
    "ad_coverage": _w("Copertura delle politiche", "Policy coverage"),
    "ad_interop": _w("Interoperabilità", "Interoperability"),
}
register(WORDS)
