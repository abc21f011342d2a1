"""The protected discharges' indicators as tables of the reports page: per municipio, per hospital, by week.

The figures come from ``alerts.discharges.indicators`` (docs/DISCHARGES.md defines each); here they are
put into the report's own table shape, so the page draws them as the rest (the weekly lines with the
report's SVG trend). Analysts see a group smaller than the report's minimum cell as hidden, as elsewhere.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.indicators import IndicatorRow, indicators
from centrale.auth.actor import Actor
from centrale.operators.models import Role
from integrations.reports.models import Report, Table

Cell = str | int | float | None
FIGURES = [
    "Dimissioni",
    "Giorni dall'avviso al progetto approvato (media)",
    "% con il progetto pronto il giorno della dimissione",
    "Giorni di dimissione ritardata",
    "% prime visite entro 48 ore",
]
UNITS: list[str | None] = [None, None, "%", None, "%"]
#: the weekly trend's columns the page draws as lines
TREND_COLUMNS = (2, 3, 5)


def _share(value: float | None) -> float | None:
    """A share (0–1) as a percentage with one decimal."""
    return None if value is None else round(100 * value, 1)


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cells(row: IndicatorRow) -> list[Cell]:
    return [
        row.transitions,
        _days(row.days_notice_to_plan),
        _share(row.plan_ready_share),
        row.delayed_days,
        _share(row.first_visit_48h_share),
    ]


def _week(group: str) -> str:
    try:
        return date.fromisoformat(group).strftime("%d/%m/%Y")
    except ValueError:
        return group


def _hidden(rows: list[list[Cell]], min_cell: int | None) -> list[list[Cell]]:
    """Rows of groups with fewer transitions than ``min_cell`` keep their name only (analysts)."""
    if min_cell is None:
        return rows
    return [row if not (isinstance(row[1], int) and 0 < row[1] < min_cell) else [row[0]] + [None] * 5 for row in rows]


async def discharge_tables(session: AsyncSession, report: Report, actor: Actor, min_cell: int) -> list[Table]:
    """The report's period's discharges: per municipio, per hospital, and week by week."""
    found = await indicators(session, start=report.start.date(), end=(report.end - timedelta(days=1)).date())
    small = min_cell if actor.role == Role.ANALISTA else None

    def table(key: str, title: str, label: str, rows: list[list[Cell]], chart: int | None) -> Table:
        return Table(
            key=key,
            title=title,
            columns=[label, *FIGURES],
            rows=_hidden(rows, small),
            chart_column=chart,
            units=[None, *UNITS],
        )

    by_place = [[r.group or "non indicato", *_cells(r)] for r in found.by_municipio]
    by_hospital = [[r.group or "non indicato", *_cells(r)] for r in found.by_hospital]
    weekly = [[_week(r.group), *_cells(r)] for r in found.weekly]
    overall = [["Tutte", *_cells(found.overall)]] if found.overall.transitions else []
    return [
        table("dimissioni_totale", "Dimissioni protette nel periodo", "Insieme", overall, None),
        table("dimissioni_municipio", "Dimissioni protette per municipio", "Municipio", by_place, 1),
        table("dimissioni_ospedale", "Dimissioni protette per ospedale", "Ospedale", by_hospital, 1),
        table("dimissioni_settimanale", "Dimissioni protette: andamento settimanale", "Settimana dal", weekly, None),
    ]
