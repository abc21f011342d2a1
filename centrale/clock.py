"""Time: stored in UTC, shown in Europe/Rome, always read through a clock so tests can travel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC (time-machine moves it in tests)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


_clock: Clock = SystemClock()


def utcnow() -> datetime:
    return _clock.now()


def to_rome(moment: datetime) -> datetime:
    """The same instant as a Rome wall-clock time (for display and rules written in local time)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ROME)


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
