"""When a regular intervention falls due: RFC 5545 rules (python-dateutil) in Europe/Rome wall time.

A rule says "every Tuesday at 10:00" in local time, so it is expanded on naive Rome wall-clock
times and each occurrence is then placed in Europe/Rome: 10:00 stays 10:00 on both sides of a
daylight-saving change (08:00 UTC in summer time, 09:00 UTC in winter time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr

from centrale.clock import ROME, to_rome
from centrale.tasks.models import TaskPriority, TaskType

#: how long the due window of a task lasts when the intervention does not say (configurable per plan)
DEFAULT_WINDOW: dict[TaskType, timedelta] = {
    TaskType.VISITA_DOMICILIARE: timedelta(hours=2),
    TaskType.TELEFONATA: timedelta(hours=1),
    TaskType.ACCOMPAGNAMENTO: timedelta(hours=3),
    TaskType.CONSEGNA_FARMACI: timedelta(hours=4),
    TaskType.CONTROLLO_CONDOMINIO: timedelta(hours=2),
    TaskType.VERIFICA_SEGNALAZIONE: timedelta(hours=2),
    TaskType.ALTRO: timedelta(hours=2),
}


@dataclass(frozen=True)
class ScheduledIntervention:
    """What task generation needs from a plan intervention with a regular frequency."""

    id: int
    person_id: int
    assignee_id: int
    rule: str  # RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0"
    task_type: TaskType
    starts: date | datetime  # first day (or moment) of the intervention, Rome wall time
    duration: timedelta | None = None  # the due window; DEFAULT_WINDOW of the type when None
    ends: date | None = None  # last day (planned end), inclusive
    case_id: int | None = None
    priority: TaskPriority = TaskPriority.MEDIA
    title: str | None = None

    @property
    def window(self) -> timedelta:
        return self.duration or DEFAULT_WINDOW[self.task_type]


def _wall(moment: datetime) -> datetime:
    """A UTC instant as a naive Rome wall-clock time."""
    return to_rome(moment).replace(tzinfo=None)


def _first(starts: date | datetime) -> datetime:
    if isinstance(starts, datetime):
        return _wall(starts) if starts.tzinfo is not None else starts
    return datetime.combine(starts, time(0, 0))


def place_in_rome(wall: datetime) -> datetime:
    """A naive Rome wall-clock time as a UTC instant (a time skipped by the spring change moves on)."""
    return wall.replace(tzinfo=ROME).astimezone(UTC)


def occurrences(intervention: ScheduledIntervention, *, start: datetime, end: datetime) -> list[datetime]:
    """The intervention's occurrences between two UTC instants (inclusive), as UTC instants."""
    text = intervention.rule.strip()
    if not text.upper().startswith(("RRULE:", "DTSTART")):
        text = "RRULE:" + text
    rule = rrulestr(text, dtstart=_first(intervention.starts), ignoretz=True)
    # widen by a day on each side: the wall-clock bounds shift with the UTC offset
    found = rule.between(_wall(start) - timedelta(days=1), _wall(end) + timedelta(days=1), inc=True)
    last = None
    if intervention.ends is not None:
        last = place_in_rome(datetime.combine(intervention.ends + timedelta(days=1), time(0, 0)))
    placed = (place_in_rome(wall) for wall in found)
    return [moment for moment in placed if start <= moment <= end and (last is None or moment < last)]


def rome_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in Rome, as UTC instants."""
    return (
        place_in_rome(datetime.combine(first, time(0, 0))),
        place_in_rome(datetime.combine(last + timedelta(days=1), time(0, 0))),
    )


def rome_week(moment: datetime) -> tuple[datetime, datetime]:
    """The Rome week (Monday to Sunday) around an instant, as UTC bounds."""
    day = to_rome(moment).date()
    monday = day - timedelta(days=day.weekday())
    return rome_day_bounds(monday, monday + timedelta(days=6))
