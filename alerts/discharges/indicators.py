"""The discharges' indicators (docs/DISCHARGES.md defines each): per municipio, per hospital, by week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass
class IndicatorRow:
    """One group's figures; a share or a mean is None when nothing is there to measure."""

    group: str  # a municipio ("IX"), a hospital's name, a week's Monday (ISO date), or "" for all
    transitions: int = 0
    days_notice_to_plan: float | None = None
    plan_ready_share: float | None = None
    delayed_days: int = 0
    first_visit_48h_share: float | None = None


@dataclass
class Indicators:
    overall: IndicatorRow
    by_municipio: list[IndicatorRow] = field(default_factory=list)
    by_hospital: list[IndicatorRow] = field(default_factory=list)
    weekly: list[IndicatorRow] = field(default_factory=list)


async def indicators(session: AsyncSession, *, start: date, end: date) -> Indicators:
    """The figures of the transitions notified from ``start`` to ``end`` (both included, Rome dates)."""
    raise NotImplementedError
