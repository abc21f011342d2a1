"""When an intervention happens, as a person says it, and the RFC 5545 rule it is stored as.

The editor asks for days, a time and how often; ``to_rule`` makes the stored rule (python-dateutil
reads it to generate tasks) and ``parse`` reads any stored rule back into the same few parts, so a
page can say it in words (``web.words.recurrence``) and never show the rule itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from dateutil.rrule import rrulestr

from centrale.errors import Invalid
from centrale.plans.models import Frequency

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Repeat(StrEnum):
    """The choices of the editor."""

    SETTIMANALE = "SETTIMANALE"  # on some days of the week
    GIORNALIERA = "GIORNALIERA"  # every day (or every n days)
    MENSILE = "MENSILE"  # on a day of the month
    UNA_VOLTA = "UNA_VOLTA"  # once, on a date
    AL_BISOGNO = "AL_BISOGNO"  # when needed: no schedule, no tasks


@dataclass(frozen=True)
class When:
    """The parts of a schedule a person chooses; ``every`` counts weeks or days."""

    repeat: Repeat
    days: tuple[str, ...] = ()
    at: time | None = None
    every: int = 1
    on: date | None = None
    monthly_day: int | None = None
    count: int | None = None
    until: date | None = None


def to_rule(when: When) -> tuple[Frequency, str | None]:
    """The stored frequency and rule of a choice; a choice that cannot be a schedule is ``Invalid``."""
    clock = "" if when.at is None else f";BYHOUR={when.at.hour};BYMINUTE={when.at.minute}"
    every = "" if when.every == 1 else f";INTERVAL={when.every}"
    if not 1 <= when.every <= 52:
        raise Invalid("every: ogni quante settimane o giorni, da 1 a 52", field="every")
    if when.repeat == Repeat.AL_BISOGNO:
        return Frequency.IRREGOLARE, None
    if when.repeat == Repeat.UNA_VOLTA:
        if when.on is None:
            raise Invalid("on: indicare il giorno dell'intervento", field="on")
        return Frequency.UNA_TANTUM, f"FREQ=DAILY;COUNT=1;BYMONTH={when.on.month};BYMONTHDAY={when.on.day}{clock}"
    if when.repeat == Repeat.GIORNALIERA:
        return Frequency.REGOLARE, f"FREQ=DAILY{every}{clock}"
    if when.repeat == Repeat.MENSILE:
        if when.monthly_day is None or not 1 <= when.monthly_day <= 28:
            raise Invalid("monthly_day: il giorno del mese, da 1 a 28", field="monthly_day")
        return Frequency.REGOLARE, f"FREQ=MONTHLY{every};BYMONTHDAY={when.monthly_day}{clock}"
    days = [d for d in WEEKDAYS if d in set(when.days)]
    if not days:
        raise Invalid("days: scegliere almeno un giorno della settimana", field="days")
    if len(days) == 7 and when.every == 1:
        return Frequency.REGOLARE, f"FREQ=DAILY{clock}"
    return Frequency.REGOLARE, f"FREQ=WEEKLY{every};BYDAY={','.join(days)}{clock}"


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip().upper()
    text = text.split(":", 1)[1] if text.startswith("RRULE:") else text
    parts = {}
    for piece in text.split(";"):
        key, _, value = piece.partition("=")
        parts[key] = value
    return parts


def parse(rule: str | None, frequency: str | None = None) -> When | None:
    """The parts of a stored rule, or None when it says something the words do not cover."""
    if not rule:
        if frequency == Frequency.UNA_TANTUM:
            return When(Repeat.UNA_VOLTA)
        return When(Repeat.AL_BISOGNO)
    try:
        rrulestr("RRULE:" + rule.strip().upper().removeprefix("RRULE:"), dtstart=datetime(2000, 1, 1))
        p = _parts(rule)
        at = time(int(p.get("BYHOUR", "0")), int(p.get("BYMINUTE", "0"))) if "BYHOUR" in p else None
        every = int(p.get("INTERVAL", "1"))
        count = int(p["COUNT"]) if "COUNT" in p else None
        until = datetime.strptime(p["UNTIL"][:8], "%Y%m%d").date() if "UNTIL" in p else None
    except (ValueError, TypeError, KeyError):
        return None
    days = tuple(d for d in WEEKDAYS if d in p.get("BYDAY", "").split(","))
    if set(p.get("BYDAY", "").split(",")) - set(WEEKDAYS) - {""}:
        return None  # "the second Tuesday" and the like
    freq = p.get("FREQ")
    if count == 1 and "BYMONTH" in p and "BYMONTHDAY" in p:
        try:
            on = date(2000, int(p["BYMONTH"]), int(p["BYMONTHDAY"]))
        except ValueError:
            return None
        return When(Repeat.UNA_VOLTA, at=at, on=on)
    if count == 1:
        return When(Repeat.UNA_VOLTA, at=at)
    if freq == "WEEKLY" and days:
        if len(days) == 7 and every == 1:
            return When(Repeat.GIORNALIERA, at=at, count=count, until=until)
        return When(Repeat.SETTIMANALE, days=days, at=at, every=every, count=count, until=until)
    if freq == "DAILY" and not days:
        return When(Repeat.GIORNALIERA, at=at, every=every, count=count, until=until)
    if freq == "MONTHLY" and "BYMONTHDAY" in p and "," not in p["BYMONTHDAY"]:
        day = int(p["BYMONTHDAY"])
        return When(Repeat.MENSILE, at=at, every=every, monthly_day=day, count=count, until=until)
    return None


def next_dates(rule: str | None, *, start: date, after: datetime | None = None, count: int = 4) -> list[datetime]:
    """The next ``count`` occurrences (Rome wall time) of a rule that starts on ``start``."""
    if not rule:
        return []
    try:
        found = rrulestr(
            "RRULE:" + rule.strip().upper().removeprefix("RRULE:"), dtstart=datetime.combine(start, time())
        )
    except (ValueError, TypeError):
        return []
    moment = max(after or datetime.combine(start, time()), datetime.combine(start, time())) - timedelta(seconds=1)
    out: list[datetime] = []
    while len(out) < count:
        nxt = found.after(moment)
        if nxt is None:
            break
        out.append(nxt)
        moment = nxt
    return out
