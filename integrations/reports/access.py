"""Who sees the report and how: coordinators in full, analysts aggregates only with small cells hidden."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

from centrale.auth.actor import Actor
from centrale.clock import utcnow
from centrale.operators.models import Role
from integrations.reports.models import Report, Table

REPORT_ROLES = (Role.COORDINATORE, Role.ANALISTA)
#: the column holding a row's group size, per table: a row whose group is small is hidden whole
GROUP_SIZE_COLUMN = {
    "tempi_allerte": 2,
    "attivita_tutor": 1,
    "attivita_condominio": 1,
    "checkin": 0,
    "allerte_condominio": 1,
    "casi_fase": 1,
    "casi_area": 1,
    "casi_intensita": 1,
    "casi_municipio": 1,
    "allerte_municipio": 1,
    "allerte_priorita": 1,
}


def period(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    """[start, end] as whole days (UTC); default: the last 30 days up to today."""
    today = utcnow().date()
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValueError("from: l'inizio segue la fine del periodo / start after end")
    return datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)


def for_reader(report: Report, actor: Actor, min_cell: int) -> Report:
    """Analysts: rows of groups smaller than ``min_cell`` are hidden and tutors are numbered, not named."""
    if actor.role != Role.ANALISTA:
        return report
    tables = []
    for table in report.tables:
        size_col = GROUP_SIZE_COLUMN.get(table.key)
        rows = []
        for i, row in enumerate(table.rows, start=1):
            row = list(row)
            size = row[size_col] if size_col is not None else None
            if isinstance(size, int) and 0 < size < min_cell:
                row = [cell if j < size_col else None for j, cell in enumerate(row)]  # type: ignore[operator]
            if table.key == "attivita_tutor":
                row[0] = f"Tutor {i}"
            rows.append(row)
        tables.append(table.model_copy(update={"rows": rows}))
    notes = [*report.notes, f"Gruppi con meno di {min_cell} elementi non mostrati (celle piccole)."]
    return report.model_copy(update={"tables": tables, "suppressed_below": min_cell, "notes": notes})


def _label_columns(table: Table) -> int:
    first = table.rows[0] if table.rows else []
    return next((i for i, cell in enumerate(first) if not isinstance(cell, str)), len(first))


def to_csv(report: Report) -> str:
    """Long format, one value per line: sezione, gruppo, misura, valore (empty: hidden or not applicable)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sezione", "gruppo", "misura", "valore", "dal", "al"])
    start, end = report.start.date().isoformat(), (report.end - timedelta(days=1)).date().isoformat()
    for table in report.tables:
        labels = _label_columns(table)
        for row in table.rows:
            group = " / ".join(str(c) for c in row[:labels]) or "totale"
            for name, value in zip(table.columns[labels:], row[labels:], strict=True):
                writer.writerow([table.key, group, name, "" if value is None else value, start, end])
    return out.getvalue()
