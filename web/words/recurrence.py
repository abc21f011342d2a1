"""A stored schedule rule said in words ("ogni martedì alle 10"), Italian first, English available.

``describe(rule, lang)`` is what a page shows instead of an RFC 5545 rule; ``when_of`` says a
single occurrence ("martedì 4 maggio 2027 alle 10:00").
"""

from __future__ import annotations

from datetime import date, datetime, time

from centrale.plans.recurrence import Repeat, When, parse

DAYS = {
    "it": {
        "MO": "lunedì",
        "TU": "martedì",
        "WE": "mercoledì",
        "TH": "giovedì",
        "FR": "venerdì",
        "SA": "sabato",
        "SU": "domenica",
    },
    "en": {
        "MO": "Monday",
        "TU": "Tuesday",
        "WE": "Wednesday",
        "TH": "Thursday",
        "FR": "Friday",
        "SA": "Saturday",
        "SU": "Sunday",
    },
}
MONTHS = {
    "it": ("gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre").split(),
    "en": "January February March April May June July August September October November December".split(),
}
PHRASES = {
    "it": {
        "and": "e",
        "at": "alle",
        "at_one": "all'",
        "every_day": "tutti i giorni",
        "every_n_days": "ogni {n} giorni",
        "every_n_weeks": "ogni {n} settimane",
        "weekdays": "dal lunedì al venerdì",
        "monthly": "ogni mese il giorno {d}",
        "every_n_months": "ogni {n} mesi il giorno {d}",
        "once": "una volta",
        "once_on": "una volta, il {d}",
        "as_needed": "al bisogno",
        "other": "secondo un calendario personalizzato",
        "times": ", {n} volte",
        "until": ", fino al {d}",
    },
    "en": {
        "and": "and",
        "at": "at",
        "at_one": "at",
        "every_day": "every day",
        "every_n_days": "every {n} days",
        "every_n_weeks": "every {n} weeks",
        "weekdays": "Monday to Friday",
        "monthly": "every month on day {d}",
        "every_n_months": "every {n} months on day {d}",
        "once": "once",
        "once_on": "once, on {d}",
        "as_needed": "when needed",
        "other": "on a custom schedule",
        "times": ", {n} times",
        "until": ", until {d}",
    },
}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _lang(lang: str) -> str:
    return lang if lang in PHRASES else "it"


def _clock(at: time | None, lang: str) -> str:
    if at is None:
        return ""
    w = PHRASES[lang]
    hour = f"{at.hour}" if at.minute == 0 and lang == "it" else f"{at.hour}:{at.minute:02d}"
    if lang == "it" and at.hour == 1:
        return f" {w['at_one']}{'una' if at.minute == 0 else hour}"  # all'una, all'1:30
    return f" {w['at']} {hour}"


def _listing(items: list[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {PHRASES[lang]['and']} {items[-1]}"


def day_month(day: date, lang: str = "it") -> str:
    """ "15 marzo" / "15 March"."""
    return f"{day.day} {MONTHS[_lang(lang)][day.month - 1]}"


def _days(when: When, lang: str) -> str:
    w = PHRASES[lang]
    names = [DAYS[lang][d] for d in when.days]
    if when.days == WEEKDAY_CODES[:5]:
        text = w["weekdays"]
    elif len(names) == 1:
        text = f"ogni {names[0]}" if lang == "it" else f"every {names[0]}"
    else:
        text = _listing(names, lang)
    if when.every > 1:
        text = f"{w['every_n_weeks'].format(n=when.every)}: {text}"
    return text


def _limits(when: When, lang: str) -> str:
    w = PHRASES[lang]
    text = "" if when.count is None else w["times"].format(n=when.count)
    if when.until is not None:
        text += w["until"].format(d=f"{day_month(when.until, lang)} {when.until.year}")
    return text


def describe(rule: str | None, lang: str = "it", frequency: str | None = None) -> str:
    """The schedule in words; a rule the words do not cover is said as "a custom schedule", never shown."""
    lang = _lang(lang)
    w = PHRASES[lang]
    when = parse(rule, frequency)
    if when is None:
        return w["other"]
    clock = _clock(when.at, lang)
    if when.repeat == Repeat.AL_BISOGNO:
        return w["as_needed"]
    if when.repeat == Repeat.UNA_VOLTA:
        if when.on is None:
            return w["once"] + clock
        return w["once_on"].format(d=day_month(when.on, lang)) + clock
    if when.repeat == Repeat.GIORNALIERA:
        text = w["every_day"] if when.every == 1 else w["every_n_days"].format(n=when.every)
        return text + clock + _limits(when, lang)
    if when.repeat == Repeat.MENSILE:
        key = "monthly" if when.every == 1 else "every_n_months"
        return w[key].format(n=when.every, d=when.monthly_day) + clock + _limits(when, lang)
    return _days(when, lang) + clock + _limits(when, lang)


def when_of(moment: datetime, lang: str = "it") -> str:
    """One occurrence: "martedì 4 maggio 2027 alle 10:00"."""
    lang = _lang(lang)
    day = DAYS[lang][WEEKDAY_CODES[moment.weekday()]]
    return f"{day} {day_month(moment.date(), lang)} {moment.year} {PHRASES[lang]['at']} {moment:%H:%M}"
