"""Italian words the rota's notices and reports use (no code, no health data): roles, days, intervals."""

from __future__ import annotations

from datetime import datetime, timedelta

from centrale.clock import to_rome
from centrale.operators.models import Role

ROLE_WORDS: dict[str, str] = {
    Role.COORDINATORE: "Coordinatore di turno",
    Role.OPERATORE_PUA: "Operatore PUA",
    Role.AMMINISTRATORE: "Amministratore",
    Role.CASE_MANAGER: "Case manager",
    Role.TUTOR: "Tutor",
    Role.MMG: "Medico di medicina generale",
    Role.OPERATORE_ETS: "Operatore del terzo settore",
    Role.ANALISTA: "Analista",
}
DAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)


def day_words(moment: datetime) -> str:
    """'mercoledì 9 dicembre' (Rome's calendar)."""
    local = to_rome(moment)
    return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"


def clock_words(moment: datetime) -> str:
    return to_rome(moment).strftime("%H:%M")


def interval_words(start: datetime, end: datetime) -> str:
    """'mercoledì 9 dicembre dalle 14:00 alle 17:00', or across days 'da lunedì 7 dicembre alle 20:00 a ...'."""
    a, b = to_rome(start), to_rome(end)
    if a.date() == b.date():
        return f"{day_words(a)} dalle {clock_words(a)} alle {clock_words(b)}"
    if b.date() == a.date() + timedelta(days=1) and (b.hour, b.minute) == (0, 0):
        return f"{day_words(a)} dalle {clock_words(a)} alle 24:00"
    return f"da {day_words(a)} alle {clock_words(a)} a {day_words(b)} alle {clock_words(b)}"


def hole_words(role: Role, start: datetime, end: datetime, *, shout: bool = True) -> str:
    """'OPERATORE PUA scoperto mercoledì 9 dicembre dalle 14:00 alle 17:00' (a notice's capitals), or with
    ``shout=False`` 'Operatore PUA scoperto ...' (a page, where capitals would read as a code)."""
    who = ROLE_WORDS.get(role, role)
    return f"{who.upper() if shout else who} scoperto {interval_words(start, end)}"
