"""Office hours in Rome: Monday to Friday 08:00–18:00, closed on Italian and Roman public holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from centrale.clock import ROME, as_utc, to_rome

OPENS = time(8, 0)
CLOSES = time(18, 0)


@lru_cache(maxsize=16)
def _holidays(year: int) -> holidays.HolidayBase:
    # subdiv RM adds Rome's patron saints, 29 June
    return holidays.Italy(subdiv="RM", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_office_time(moment: datetime) -> datetime:
    """``moment`` if the office is open then, else the next opening (08:00 Rome of a working day), in UTC."""
    local = to_rome(moment)
    if is_working_day(local.date()) and OPENS <= local.time() < CLOSES:
        return as_utc(moment)
    day = local.date() if local.time() < OPENS else local.date() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return as_utc(datetime.combine(day, OPENS, tzinfo=ROME))
