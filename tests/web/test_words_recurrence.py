"""A schedule chosen in the editor becomes a stored rule, and any stored rule is said back in words."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from centrale.errors import Invalid
from centrale.plans.models import Frequency
from centrale.plans.recurrence import Repeat, When, next_dates, parse, to_rule
from web.words.recurrence import describe

CHOICES = [
    (When(Repeat.SETTIMANALE, days=("TU",), at=time(10)), "ogni martedì alle 10", "every Tuesday at 10:00"),
    (
        When(Repeat.SETTIMANALE, days=("FR", "MO", "WE"), at=time(9)),
        "lunedì, mercoledì e venerdì alle 9",
        "Monday, Wednesday and Friday at 9:00",
    ),
    (When(Repeat.GIORNALIERA, at=time(16)), "tutti i giorni alle 16", "every day at 16:00"),
    (When(Repeat.UNA_VOLTA, on=date(2027, 3, 15), at=time(10, 30)), "una volta, il 15 marzo alle 10:30", None),
    (When(Repeat.AL_BISOGNO), "al bisogno", "when needed"),
    (When(Repeat.SETTIMANALE, days=("MO", "TU", "WE", "TH", "FR"), at=time(8)), "dal lunedì al venerdì alle 8", None),
    (When(Repeat.SETTIMANALE, days=("TH",), every=2), "ogni 2 settimane: ogni giovedì", None),
    (When(Repeat.MENSILE, monthly_day=5, at=time(1)), "ogni mese il giorno 5 all'una", None),
]


@pytest.mark.parametrize(("when", "italian", "english"), CHOICES)
def test_a_choice_is_stored_as_a_rule_and_said_back(when: When, italian: str, english: str | None):
    frequency, rule = to_rule(when)
    assert describe(rule, "it", frequency) == italian
    if english:
        assert describe(rule, "en", frequency) == english
    parsed = parse(rule, frequency)
    assert parsed is not None and to_rule(parsed) == (frequency, rule)  # read back, it is the same rule


def test_every_day_of_the_week_is_every_day():
    frequency, rule = to_rule(When(Repeat.SETTIMANALE, days=("MO", "TU", "WE", "TH", "FR", "SA", "SU"), at=time(16)))
    assert (frequency, describe(rule, "it", frequency)) == (Frequency.REGOLARE, "tutti i giorni alle 16")


def test_rules_written_elsewhere_are_said_in_words_never_shown():
    assert describe("FREQ=WEEKLY;BYDAY=MO,TH") == "lunedì e giovedì"
    assert describe("RRULE:FREQ=DAILY;INTERVAL=3;BYHOUR=9;BYMINUTE=15;COUNT=10") == "ogni 3 giorni alle 9:15, 10 volte"
    for odd in ("FREQ=MONTHLY;BYDAY=2TU", "not a rule", "FREQ=YEARLY"):
        assert describe(odd) == "secondo un calendario personalizzato"
    assert describe(None, "it", "UNA_TANTUM") == "una volta"


def test_a_choice_that_is_no_schedule_is_refused_in_words():
    with pytest.raises(Invalid, match="almeno un giorno"):
        to_rule(When(Repeat.SETTIMANALE, at=time(10)))
    with pytest.raises(Invalid, match="indicare il giorno"):
        to_rule(When(Repeat.UNA_VOLTA))


def test_next_dates_follow_the_rule_from_the_start():
    _, rule = to_rule(When(Repeat.SETTIMANALE, days=("MO", "WE", "FR"), at=time(9)))
    assert next_dates(rule, start=date(2027, 5, 1), count=3) == [
        datetime(2027, 5, 3, 9),
        datetime(2027, 5, 5, 9),
        datetime(2027, 5, 7, 9),
    ]
    _, once = to_rule(When(Repeat.UNA_VOLTA, on=date(2027, 6, 2), at=time(11)))
    assert next_dates(once, start=date(2027, 5, 1)) == [datetime(2027, 6, 2, 11)]
