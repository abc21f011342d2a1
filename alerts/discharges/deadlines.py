"""When each milestone of a protected discharge is due (docs/DISCHARGES.md says why these).

The UVM must be booked within one working day of the notice: that deadline follows the notice. Every
other deadline follows the discharge date, so a ward that moves the date moves them all; once the
person has actually left, the first visit and the follow-up call follow the real discharge instead.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from alerts.discharges.models import Milestone
from alerts.escalation.office_hours import is_working_day
from centrale.clock import ROME, as_utc, to_rome

#: the hour of the day (Rome) at which a day's deadline falls: the end of the office day
END_OF_DAY = time(18, 0)
#: the hour a discharge is assumed to happen, before it does (wards discharge in the late morning)
DISCHARGE_HOUR = time(12, 0)
FIRST_VISIT_WITHIN = timedelta(hours=48)
FOLLOW_UP_DAY = 7

#: milestones whose deadline follows the discharge date (all but the notice and the booking)
FOLLOW_THE_DATE = frozenset(
    {
        Milestone.UVM_SVOLTA,
        Milestone.PIANO_APPROVATO,
        Milestone.DIMISSIONE,
        Milestone.PRIMA_VISITA,
        Milestone.TELEFONATA_CONTROLLO,
    }
)


def _at(day: date, hour: time) -> datetime:
    return as_utc(datetime.combine(day, hour, tzinfo=ROME))


def next_working_day(day: date) -> date:
    following = day + timedelta(days=1)
    while not is_working_day(following):
        following += timedelta(days=1)
    return following


def deadlines(
    *, notified_at: datetime, expected_date: date, discharged_at: datetime | None = None
) -> dict[Milestone, datetime]:
    """Every milestone's deadline, in UTC."""
    left = discharged_at if discharged_at is not None else _at(expected_date, DISCHARGE_HOUR)
    left_day = to_rome(left).date()
    return {
        Milestone.NOTIFICA: as_utc(notified_at),
        Milestone.UVM_PRENOTATA: _at(next_working_day(to_rome(notified_at).date()), END_OF_DAY),
        Milestone.UVM_SVOLTA: _at(expected_date - timedelta(days=2), END_OF_DAY),
        Milestone.PIANO_APPROVATO: _at(expected_date - timedelta(days=1), END_OF_DAY),
        Milestone.DIMISSIONE: _at(expected_date, END_OF_DAY),
        Milestone.PRIMA_VISITA: as_utc(left) + FIRST_VISIT_WITHIN,
        Milestone.TELEFONATA_CONTROLLO: _at(left_day + timedelta(days=FOLLOW_UP_DAY), END_OF_DAY),
    }
