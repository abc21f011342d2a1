"""Words of the protected discharges: the notice form, the file's milestones, the board's lane, the indicators.

The board's lane receives its words with the board's (keys starting ``b_``); the pages read the rest."""

from __future__ import annotations

from datetime import date, datetime

from centrale.clock import to_rome, utcnow
from web.i18n import BOARD_KEYS, register
from web.words.recurrence import DAYS, WEEKDAY_CODES, day_month


def _w(it: str, en: str) -> dict[str, str]:
    return {"it": it, "en": en}


WORDS: dict[str, dict[str, str]] = {
    "nav_discharges": _w("Nuova dimissione protetta", "New protected discharge"),
    # the notice form
    "dn_title": _w("Nuova dimissione protetta", "New protected discharge"),
    "dn_intro": _w(
        "Il reparto o il PUA annuncia una dimissione: la Centrale organizza la valutazione a domicilio "
        "e il progetto prima che la persona lasci il letto.",
        "The ward or the PUA announces a discharge: the Centrale arranges the home assessment and the plan "
        "before the person leaves the bed.",
    ),
    "dn_person": _w("Persona", "Person"),
    "dn_cf": _w("Codice fiscale", "Tax code"),
    "dn_cognome": _w("Cognome", "Surname"),
    "dn_nome": _w("Nome", "Given name"),
    "dn_birth": _w("Data di nascita", "Date of birth"),
    "dn_person_hint": _w(
        "Se la persona è già registrata con questo codice fiscale si usa la sua scheda.",
        "A person already registered with this tax code keeps their record.",
    ),
    "dn_hospital_part": _w("Ricovero", "Stay in hospital"),
    "dn_hospital": _w("Ospedale", "Hospital"),
    "dn_ward": _w("Reparto", "Ward"),
    "dn_expected": _w("Data prevista di dimissione", "Expected discharge date"),
    "dn_needs": _w("Di cosa avrà bisogno a casa", "What the person will need at home"),
    "dn_contact_part": _w("Referente in ospedale", "Hospital contact"),
    "dn_contact_name": _w("Nome del referente", "Contact's name"),
    "dn_contact_phone": _w("Telefono del referente", "Contact's phone"),
    "dn_note": _w("Note per la Centrale (facoltative)", "Notes for the Centrale (optional)"),
    "dn_submit": _w("Registra la dimissione", "Record the discharge"),
    "need_ASSISTENZA_DOMICILIARE": _w("Assistenza domiciliare", "Home care"),
    "need_AUSILI": _w("Ausili (letto, deambulatore, carrozzina)", "Aids (bed, walker, wheelchair)"),
    "need_TUTOR": _w("Un tutor che la segua", "A tutor to follow the person"),
    "need_PASTI": _w("Pasti a domicilio", "Meals at home"),
    "need_TRASPORTO": _w("Trasporto a casa", "Transport home"),
    "need_SENTINELLE": _w("Avvisare le sentinelle del condominio", "Tell the condominio's sentinels"),
    "dn_sex": _w("Sesso", "Sex"),
    "dn_municipio": _w("Municipio", "Municipio"),
    "dn_address": _w("Indirizzo di casa", "Home address"),
    "dn_manager": _w("Responsabile del caso (se si apre un caso nuovo)", "Case manager (if a new case opens)"),
    "dn_manager_any": _w("Il primo disponibile", "The first available"),
    "dn_choose": _w("Scegliere", "Choose"),
    "dn_not_allowed": _w(
        "Possono registrare una dimissione il PUA, i responsabili del caso e i coordinatori.",
        "The PUA, case managers and coordinators may record a discharge.",
    ),
    "dn_new_person_hint": _w(
        "Per una persona nuova servono anche cognome, nome, sesso e data di nascita.",
        "A new person also needs surname, given name, sex and date of birth.",
    ),
    # the case file's part
    "df_title": _w("Dimissione protetta", "Protected discharge"),
    "df_open": _w("Passaggi, scadenze e azioni", "Milestones, deadlines and actions"),
    "df_none": _w("Nessuna dimissione protetta per questo caso.", "No protected discharge for this case."),
    "df_from": _w("Da", "From"),
    "df_expected": _w("Dimissione prevista", "Expected discharge"),
    "df_contact": _w("Referente in ospedale", "Hospital contact"),
    "df_milestones": _w("Passaggi", "Milestones"),
    "df_milestone": _w("Passaggio", "Milestone"),
    "df_deadline": _w("Scadenza", "Deadline"),
    "df_state": _w("Situazione", "Status"),
    "df_done_on": _w("fatto il", "done on"),
    "df_late": _w("in ritardo", "late"),
    "df_waiting": _w("da fare", "to do"),
    "df_complete": _w("Segna come fatto", "Mark as done"),
    "df_move": _w("Sposta la data di dimissione", "Move the discharge date"),
    "df_new_date": _w("Nuova data di dimissione", "New discharge date"),
    "df_move_reason": _w("Motivo dello spostamento", "Reason for the move"),
    "df_move_submit": _w("Sposta la data", "Move the date"),
    "df_sentinels": _w("Avvisa le sentinelle del condominio", "Tell the condominio's sentinels"),
    "df_sentinels_hint": _w(
        "Ricevono per SMS solo la data del rientro e il codice della persona, nessun dato di salute.",
        "They receive by SMS only the date of return and the person's code, no health data.",
    ),
    "df_sentinels_done": _w("Sentinelle avvisate", "Sentinels told"),
    "df_all_done": _w("Tutti i passaggi sono fatti.", "Every milestone is done."),
    "df_needs": _w("Bisogni a casa", "Needs at home"),
    "df_cancelled": _w("Dimissione annullata", "Discharge cancelled"),
    "df_cancel": _w("Annulla la dimissione", "Cancel the discharge"),
    "df_cancel_reason": _w(
        "Motivo dell'annullamento (trasferimento, decesso, avviso ritirato)",
        "Reason for cancelling (transfer, death, notice withdrawn)",
    ),
    # the board's lane (sent to the board's script with the board's words)
    "b_dis_title": _w("Dimissioni in corso", "Discharges in progress"),
    "b_dis_none": _w("Nessuna dimissione in corso", "No discharge in progress"),
    "b_dis_in_days": _w("dimissione tra", "discharge in"),
    "b_dis_today": _w("dimissione oggi", "discharge today"),
    "b_dis_past": _w("data prevista superata da {n}", "expected date passed {n} ago"),
    "b_dis_day": _w("giorno", "day"),
    "b_dis_days": _w("giorni", "days"),
    "b_dis_missing": _w("Manca", "Missing"),
    "b_dis_by": _w("entro", "by"),
    "b_dis_late": _w("in ritardo", "late"),
    "b_dis_call": _w("Chiama il reparto", "Call the ward"),
    "b_dis_file": _w("Apri il fascicolo", "Open the case file"),
    "b_dis_overdue_title": _w("Passaggi delle dimissioni in ritardo", "Late discharge milestones"),
    "b_dis_was_due": _w("scaduto", "was due"),
    # the indicators on the reports page
    "ri_title": _w("Dimissioni protette", "Protected discharges"),
    "ri_by_municipio": _w("Per municipio", "By municipio"),
    "ri_by_hospital": _w("Per ospedale", "By hospital"),
    "ri_trend": _w("Andamento settimanale", "Weekly trend"),
    "ri_where": _w("Dove", "Where"),
    "ri_week": _w("Settimana", "Week"),
    "ri_count": _w("Dimissioni", "Discharges"),
    "ri_days_to_plan": _w("Giorni dall'avviso al progetto approvato", "Days from notice to approved plan"),
    "ri_plan_ready": _w("Progetto pronto il giorno della dimissione", "Plan ready on the day of discharge"),
    "ri_delayed_days": _w("Giorni di dimissione ritardata", "Days of delayed discharge"),
    "ri_visit_48h": _w("Prima visita entro 48 ore", "First visit within 48 hours"),
    "ri_none": _w("Nessuna dimissione nel periodo.", "No discharge in the period."),
}

register(WORDS)
# the board page receives the board's words (web.i18n.BOARD_KEYS): the lane's are among them
BOARD_KEYS.extend(key for key in WORDS if key.startswith("b_") and key not in BOARD_KEYS)


def day_words(day: date, lang: str = "it") -> str:
    """A day as people say it: "venerdì 11 dicembre" ("venerdì 11 dicembre 2027" in another year)."""
    lang = "en" if lang == "en" else "it"
    name = DAYS[lang][WEEKDAY_CODES[day.weekday()]]
    year = f" {day.year}" if day.year != to_rome(utcnow()).year else ""
    return f"{name} {day_month(day, lang)}{year}"


def deadline_words(moment: datetime, lang: str = "it") -> str:
    """A deadline's day in Rome, in words ("entro" + this on the pages)."""
    return day_words(to_rome(moment).date(), lang)
