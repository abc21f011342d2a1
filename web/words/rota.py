"""Interface words of the "Turni" pages, the words of the rota's codes and of its form fields."""

from __future__ import annotations

from datetime import datetime, timedelta

from alerts.rota.words import hole_words, interval_words
from centrale.clock import to_rome
from centrale.operators.models import Role
from web.i18n import label, register
from web.words.codes import CODES, FIELDS


def _w(it: str, en: str) -> dict[str, str]:
    return {"it": it, "en": en}


WORDS: dict[str, dict[str, str]] = {
    "nav_rota": _w("Turni", "Rota"),
    "nav_my_shifts": _w("I miei turni", "My shifts"),
    "ro_title": _w("Turni", "Rota"),
    "ro_week": _w("Settimana dal", "Week from"),
    "ro_show": _w("Mostra", "Show"),
    "ro_prev": _w("Settimana precedente", "Previous week"),
    "ro_next": _w("Settimana successiva", "Next week"),
    "ro_when": _w("Quando", "When"),
    "ro_who": _w("Chi è di turno", "Who is on duty"),
    "ro_nobody": _w("nessuno", "nobody"),
    "ro_no_rota": _w("Nessun turno per questo ruolo.", "No shifts for this role."),
    "ro_no_layers": _w("Non ci sono ancora turni: aggiungine uno qui sotto.", "No rota yet: add a layer below."),
    "ro_holes": _w("Turni scoperti nei prossimi 7 giorni", "Uncovered shifts in the next 7 days"),
    "ro_holes_hint": _w(
        "Ore in cui nessuno del ruolo è raggiungibile, come le segnala il controllo quotidiano della copertura.",
        "Hours in which nobody of the role can be reached, as the daily coverage check reports them.",
    ),
    "ro_no_holes": _w("Nessun turno scoperto.", "No uncovered shift."),
    "ro_changes": _w("Coperture e scambi", "Covers and swaps"),
    "ro_no_changes": _w("Nessuna copertura o scambio in questa settimana.", "No cover or swap this week."),
    "ro_kind": _w("Tipo", "Kind"),
    "ro_takes": _w("Di turno", "On duty"),
    "ro_instead": _w("Al posto di", "Instead of"),
    "ro_everyone": _w("chiunque fosse di turno", "whoever was on duty"),
    "ro_undo": _w("Annulla", "Undo"),
    "ro_undo_label": _w("Annulla la variazione di", "Undo the change of"),
    "ro_layers": _w("Livelli dei turni", "Rota layers"),
    "ro_layer_new": _w("Nuovo livello", "New layer"),
    "ro_layer_edit": _w("Modifica il livello", "Edit the layer"),
    "ro_layer_hint": _w(
        "Ogni giorno scelto il turno passa di mano agli orari indicati (ora di Roma); "
        "le persone si alternano nell'ordine indicato.",
        "On each chosen day the shift changes hands at the given times (Rome time); "
        "the people take turns in the given order.",
    ),
    "ro_name": _w("Nome del livello", "Layer name"),
    "ro_role": _w("Ruolo", "Role"),
    "ro_starts_on": _w("Primo giorno", "First day"),
    "ro_handoffs": _w(
        "Orari di cambio turno (per esempio 08:00, 14:00, 20:00)", "Hand-off times (e.g. 08:00, 14:00, 20:00)"
    ),
    "ro_ends_at": _w(
        "Fine dell'ultimo turno (vuoto: fino al primo cambio del giorno dopo)",
        "End of the last shift (empty: until the next day's first hand-off)",
    ),
    "ro_days": _w("Giorni", "Days"),
    "ro_holidays": _w("Nei giorni festivi", "On holidays"),
    "ro_rotation": _w("Si passa alla persona successiva", "The next person takes over"),
    "ro_people": _w("Persone, nell'ordine", "People, in order"),
    "ro_person_n": _w("Persona", "Person"),
    "ro_active": _w("In vigore", "In force"),
    "ro_save": _w("Salva il livello", "Save the layer"),
    "ro_cover": _w("Coprire un turno", "Cover a shift"),
    "ro_cover_hint": _w(
        "Chi prende il turno è di turno nell'intervallo indicato al posto della persona scelta "
        "(o di chiunque lo fosse).",
        "Whoever takes the shift is on duty in the interval instead of the chosen person (or of whoever was).",
    ),
    "ro_cover_mine": _w("Prendere un turno", "Take a shift"),
    "ro_taker": _w("Chi prende il turno", "Who takes the shift"),
    "ro_replaced": _w("Al posto di (facoltativo)", "Instead of (optional)"),
    "ro_day": _w("Giorno", "Day"),
    "ro_from": _w("Dalle", "From"),
    "ro_to": _w("Alle", "To"),
    "ro_save_cover": _w("Registra la copertura", "Record the cover"),
    "ro_swap": _w("Scambiare un turno", "Swap a shift"),
    "ro_swap_hint": _w(
        "Chi ha il turno lo cede all'altra persona; se indicato, riceve in cambio un turno dell'altra.",
        "The one on duty gives the shift to the other; if given, they take one of the other's in return.",
    ),
    "ro_giver": _w("Di chi è il turno", "Whose shift"),
    "ro_other": _w("Con chi", "With whom"),
    "ro_back": _w("Turno ricevuto in cambio (facoltativo)", "Shift taken in return (optional)"),
    "ro_save_swap": _w("Registra lo scambio", "Record the swap"),
    "ro_mine_title": _w("I miei turni", "My shifts"),
    "ro_mine_next": _w("Nei prossimi 14 giorni", "In the next 14 days"),
    "ro_mine_none": _w("Non hai turni nei prossimi 14 giorni.", "You have no shifts in the next 14 days."),
    "ro_mine_changes": _w("Coperture e scambi che ti riguardano", "Covers and swaps that concern you"),
    "ro_none_option": _w("nessuno", "nobody"),
    "ro_saved": _w("Fatto: i turni sono aggiornati.", "Done: the rota is updated."),
    "ro_refused": _w(
        "I turni di tutti li organizzano il coordinamento e l'amministrazione. I tuoi sono in «I miei turni».",
        "Coordinators and administrators arrange everyone's rota. Yours are in 'My shifts'.",
    ),
}
register(WORDS)

DAY_WORDS = (
    _w("lunedì", "Monday"),
    _w("martedì", "Tuesday"),
    _w("mercoledì", "Wednesday"),
    _w("giovedì", "Thursday"),
    _w("venerdì", "Friday"),
    _w("sabato", "Saturday"),
    _w("domenica", "Sunday"),
)

CODES.update(
    {
        # centrale.rota.models.HolidayRule
        "ANCHE": _w("Come gli altri giorni", "Like any other day"),
        "ESCLUSI": _w("Nessun turno", "No shift"),
        "SOLO": _w("Solo nei festivi", "Only on holidays"),
        # centrale.rota.models.Rotation
        "TURNO": _w("A ogni turno", "Every shift"),
        "GIORNO": _w("Ogni giorno", "Every day"),
        "SETTIMANA": _w("Ogni settimana", "Every week"),
        # centrale.rota.models.OverrideKind
        "COPERTURA": _w("Copertura", "Cover"),
        "SCAMBIO": _w("Scambio", "Swap"),
    }
)

FIELDS.update(
    {
        "starts_on": _w("primo giorno", "first day"),
        "handoffs": _w("orari di cambio turno", "hand-off times"),
        "weekdays": _w("giorni", "days"),
        "holidays": _w("giorni festivi", "holidays"),
        "rotation": _w("alternanza", "rotation"),
        "operator_ids": _w("persone del turno", "people of the rota"),
        "replaces_id": _w("al posto di", "instead of"),
        "with_operator_id": _w("con chi", "with whom"),
        "starts_at": _w("inizio", "start"),
        "ends_at": _w("fine", "end"),
        "back_starts_at": _w("inizio del turno ricevuto", "start of the shift in return"),
        "back_ends_at": _w("fine del turno ricevuto", "end of the shift in return"),
        "day": _w("giorno", "day"),
        "from_time": _w("dalle", "from"),
        "to_time": _w("alle", "to"),
        "back_day": _w("giorno del turno ricevuto", "day of the shift in return"),
    }
)

_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _day_en(moment: datetime) -> str:
    local = to_rome(moment)
    return f"{_DAYS_EN[local.weekday()]} {local.day} {_MONTHS_EN[local.month - 1]}"


def interval_in(start: datetime, end: datetime, lang: str) -> str:
    """An interval of the rota in the reader's language, Rome's time ('mercoledì 9 dicembre dalle 14:00 alle 17:00')."""
    if lang == "it":
        return interval_words(start, end)
    a, b = to_rome(start), to_rome(end)
    if a.date() == b.date():
        return f"{_day_en(a)} from {a:%H:%M} to {b:%H:%M}"
    if b.date() == a.date() + timedelta(days=1) and (b.hour, b.minute) == (0, 0):
        return f"{_day_en(a)} from {a:%H:%M} to 24:00"
    return f"from {_day_en(a)} {a:%H:%M} to {_day_en(b)} {b:%H:%M}"


def hole_in(role: Role, start: datetime, end: datetime, lang: str) -> str:
    """A hole of the week ahead for a page: 'Operatore PUA scoperto ...' / 'PUA officer uncovered ...'."""
    if lang == "it":
        return hole_words(role, start, end, shout=False)
    return f"{label(role, lang)} uncovered {interval_in(start, end, lang)}"
