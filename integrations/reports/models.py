"""The district's numbers as tables: one shape for JSON, CSV and the page."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 2)


class Table(BaseModel):
    """One section of the report: a title, column names and rows (None: suppressed or not applicable)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str | int | float | None]]
    chart_column: int | None = None  # the numeric column the page draws as bars
    units: list[str | None] = []  # per column: "min" (a duration in minutes), "%" (a percentage), None
    total: int | None = None  # the count of what the rows add up to, when they are a breakdown


class Report(BaseModel):
    start: datetime
    end: datetime
    generated_at: datetime
    suppressed_below: int | None = None  # counts under this are hidden (analysts)
    tables: list[Table]
    notes: list[str] = []
