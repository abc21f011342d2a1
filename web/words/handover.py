"""Interface words of the handover page ("Consegne")."""

from __future__ import annotations

from web.i18n import register
from web.words.codes import FIELDS

WORDS: dict[str, dict[str, str]] = {
    "nav_handover": {"it": "Consegne", "en": "Handover"},
    "ho_title": {"it": "Consegne", "en": "Handover"},
    "ho_current": {"it": "Le tue consegne", "en": "Your handover"},
    "ho_none": {"it": "Non hai ancora ricevuto consegne.", "en": "You have not received a handover yet."},
    "ho_from_to": {"it": "Passaggio di turno", "en": "Shift change"},
    "ho_from": {"it": "Da", "en": "From"},
    "ho_to": {"it": "A", "en": "To"},
    "ho_at": {"it": "Cambio turno", "en": "Hand-off"},
    "ho_role": {"it": "Ruolo", "en": "Role"},
    "ho_nobody": {"it": "nessuno", "en": "nobody"},
    "ho_ack": {"it": "Ho letto le consegne", "en": "I have read the handover"},
    "ho_acked": {"it": "Lette", "en": "Read"},
    "ho_not_acked": {"it": "Non ancora lette", "en": "Not read yet"},
    "ho_open_alerts": {"it": "Allerte aperte", "en": "Open alerts"},
    "ho_acknowledged_alerts": {
        "it": "Allerte prese in carico, non ancora chiuse",
        "en": "Alerts taken, not yet closed",
    },
    "ho_overdue_tasks": {"it": "Attività scadute", "en": "Overdue tasks"},
    "ho_pending_checkins": {"it": "Check-in in attesa di risposta", "en": "Check-ins awaiting a reply"},
    "ho_ending_plans": {"it": "Progetti in scadenza nei prossimi 7 giorni", "en": "Plans ending in the next 7 days"},
    "ho_notes": {"it": "Note di chi lascia il turno", "en": "Notes of the outgoing operator"},
    "ho_no_notes": {"it": "Nessuna nota.", "en": "No notes."},
    "ho_empty": {"it": "Niente da segnalare.", "en": "Nothing to report."},
    "ho_alert": {"it": "Allerta", "en": "Alert"},
    "ho_person": {"it": "Persona", "en": "Person"},
    "ho_severity": {"it": "Priorità", "en": "Priority"},
    "ho_source": {"it": "Origine", "en": "Source"},
    "ho_summary": {"it": "In breve", "en": "In short"},
    "ho_opened": {"it": "Aperta", "en": "Opened"},
    "ho_taken_by": {"it": "Presa da", "en": "Taken by"},
    "ho_task": {"it": "Attività", "en": "Task"},
    "ho_type": {"it": "Tipo", "en": "Type"},
    "ho_assignee": {"it": "Assegnata a", "en": "Assigned to"},
    "ho_due": {"it": "Scadenza", "en": "Due"},
    "ho_checkin_due": {"it": "Richiesto", "en": "Sent"},
    "ho_window": {"it": "Risposta attesa entro", "en": "Reply expected by"},
    "ho_sentinel": {"it": "Sentinella", "en": "Sentinel"},
    "ho_plan": {"it": "Progetto del caso", "en": "Plan of the case"},
    "ho_plan_end": {"it": "Termina il", "en": "Ends on"},
    "ho_note_title": {"it": "Nota per chi entra in turno", "en": "Note for the incoming operator"},
    "ho_note_label": {
        "it": "Nota per le prossime consegne (senza dati sanitari)",
        "en": "Note for the next handover (no health details)",
    },
    "ho_note_save": {"it": "Salva la nota", "en": "Save the note"},
    "ho_note_saved": {
        "it": "Nota salvata: sarà nelle prossime consegne.",
        "en": "Note saved: it goes with the next handover.",
    },
    "ho_prepare_title": {"it": "Prepara le consegne ora", "en": "Prepare a handover now"},
    "ho_prepare_hint": {
        "it": "Per un cambio turno fuori orario: le consegne si preparano da sole a ogni cambio del turno.",
        "en": "For a shift change out of schedule: handovers are prepared at every scheduled change.",
    },
    "ho_incoming": {"it": "Chi entra in turno", "en": "Incoming operator"},
    "ho_outgoing": {"it": "Chi lascia il turno (facoltativo)", "en": "Outgoing operator (optional)"},
    "ho_prepare": {"it": "Prepara le consegne ora", "en": "Prepare the handover now"},
    "ho_past": {"it": "Consegne passate", "en": "Past handovers"},
    "ho_past_none": {"it": "Nessuna consegna registrata.", "en": "No handover recorded."},
    "ho_open": {"it": "Apri", "en": "Open"},
    "ho_open_label": {"it": "Apri le consegne del", "en": "Open the handover of"},
    "ho_detail": {"it": "Consegne del", "en": "Handover of"},
    "ho_back": {"it": "Torna alle consegne", "en": "Back to the handover"},
    "ho_refused": {
        "it": "Il tuo ruolo non riceve consegne di turno.",
        "en": "Your role does not receive shift handovers.",
    },
    "ho_read_refused": {
        "it": "Queste consegne non sono tue: le leggono chi entra, chi esce e il coordinamento.",
        "en": "This handover is not yours: the incoming, the outgoing operator and the coordination read it.",
    },
    "ho_shown_part": {
        "it": "Sono mostrate solo le voci sulle persone che segui.",
        "en": "Only the items about people you follow are shown.",
    },
}

register(WORDS)

# the fields of the page's forms, named in its error sentences ("Chi entra in turno: scegliere...")
FIELDS.update(
    {
        "incoming_id": {"it": "chi entra in turno", "en": "incoming operator"},
        "outgoing_id": {"it": "chi lascia il turno", "en": "outgoing operator"},
    }
)
