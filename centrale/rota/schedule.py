"""Who holds a role at an instant, computed from layers and overrides alone (no database, no clock).

Hand-off times are Europe/Rome wall-clock times: a shift from 20:00 to 08:00 lasts 11 or 13 hours on
the nights the clocks change, as the people working it expect. A shift belongs to the day it starts
on, so its weekday and whether that day is a holiday decide whether the layer has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise

import holidays as holiday_calendars

from centrale.clock import ROME, as_utc
from centrale.rota.models import HolidayRule, RotaLayer, RotaOverride, Rotation


@dataclass(frozen=True)
class Shift:
    """One shift of one layer: who holds it and when (UTC)."""

    layer_id: int | None
    operator_id: int
    starts_at: datetime
    ends_at: datetime


def parse_hhmm(value: str) -> time:
    """'08:00' -> 08:00; a ValueError names what is wrong."""
    hours, _, minutes = value.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"orario non valido: {value!r} (scrivere HH:MM)")
    return time(int(hours), int(minutes))


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    # subdiv RM adds Rome's patron saints, 29 June, to the national calendar
    return frozenset(holiday_calendars.Italy(subdiv="RM", years=year).keys())


def is_holiday(day: date) -> bool:
    """A national holiday or Rome's patron saints (29 June)."""
    return day in _holidays(day.year)


def applies_on(layer: RotaLayer, day: date) -> bool:
    """Whether the layer has shifts starting on this day."""
    if day < layer.starts_on or not layer.operator_ids or not layer.handoffs:
        return False
    holiday = is_holiday(day)
    if layer.holidays == HolidayRule.SOLO:
        return holiday
    if layer.holidays == HolidayRule.ESCLUSI and holiday:
        return False
    return not layer.weekdays or day.weekday() in layer.weekdays


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ROME).astimezone(UTC)


def _turn(layer: RotaLayer, day: date, index: int, per_day: int) -> int:
    days = (day - layer.starts_on).days
    if layer.rotation == Rotation.GIORNO:
        return days
    if layer.rotation == Rotation.SETTIMANA:
        return days // 7
    return days * per_day + index


def shifts_of_day(layer: RotaLayer, day: date) -> list[Shift]:
    """The layer's shifts that start on ``day`` (Rome's calendar)."""
    if not applies_on(layer, day):
        return []
    starts = sorted(parse_hhmm(h) for h in layer.handoffs)
    made = []
    for index, start in enumerate(starts):
        if index + 1 < len(starts):
            end = _local(day, starts[index + 1])
        elif layer.ends_at:
            last = parse_hhmm(layer.ends_at)
            end = _local(day if last > start else day + timedelta(days=1), last)
        else:
            end = _local(day + timedelta(days=1), starts[0])
        operator = layer.operator_ids[_turn(layer, day, index, len(starts)) % len(layer.operator_ids)]
        made.append(Shift(layer.id, operator, _local(day, start), end))
    return made


def shifts(layers: Iterable[RotaLayer], start: datetime, end: datetime) -> Iterator[Shift]:
    """Every shift of the layers that overlaps [start, end), in order of start."""
    start, end = as_utc(start), as_utc(end)
    first = start.astimezone(ROME).date() - timedelta(days=1)  # a night shift begun the day before
    last = end.astimezone(ROME).date()
    found: list[Shift] = []
    for layer in layers:
        if not layer.active:
            continue
        day = first
        while day <= last:
            found.extend(s for s in shifts_of_day(layer, day) if s.starts_at < end and s.ends_at > start)
            day += timedelta(days=1)
    yield from sorted(found, key=lambda s: (s.starts_at, s.layer_id or 0))


def _live(override: RotaOverride, at: datetime) -> bool:
    return override.removed_at is None and as_utc(override.starts_at) <= at < as_utc(override.ends_at)


def who_at(layers: Sequence[RotaLayer], overrides: Sequence[RotaOverride], at: datetime) -> list[int]:
    """The operators holding the role at ``at``: the layers' shifts, then the overrides in force, oldest first."""
    at = as_utc(at)
    held: list[int] = []
    for shift in shifts(layers, at, at + timedelta(microseconds=1)):
        if shift.operator_id not in held:
            held.append(shift.operator_id)
    for override in sorted(overrides, key=lambda o: (o.created_at, o.id or 0)):
        if not _live(override, at):
            continue
        if override.replaces_id is None:
            held = []
        elif override.replaces_id in held:
            held.remove(override.replaces_id)
        if override.operator_id not in held:
            held.append(override.operator_id)
    return held


def changes(
    layers: Sequence[RotaLayer], overrides: Sequence[RotaOverride], start: datetime, end: datetime
) -> list[datetime]:
    """The instants in [start, end) where who holds the role may change (shift and override edges)."""
    start, end = as_utc(start), as_utc(end)
    edges: set[datetime] = set()
    for shift in shifts(layers, start, end):
        edges.update((shift.starts_at, shift.ends_at))
    for override in overrides:
        if override.removed_at is None:
            edges.update((as_utc(override.starts_at), as_utc(override.ends_at)))
    return sorted(e for e in edges if start <= e < end)


def segments(
    layers: Sequence[RotaLayer], overrides: Sequence[RotaOverride], start: datetime, end: datetime
) -> list[tuple[datetime, datetime, list[int]]]:
    """[start, end) cut where the holders change, each piece with its holders."""
    start, end = as_utc(start), as_utc(end)
    cuts = [start, *(c for c in changes(layers, overrides, start, end) if c > start), end]
    pieces: list[tuple[datetime, datetime, list[int]]] = []
    for a, b in pairwise(cuts):
        held = who_at(layers, overrides, a)
        if pieces and pieces[-1][2] == held:
            pieces[-1] = (pieces[-1][0], b, held)
        else:
            pieces.append((a, b, held))
    return pieces
