"""Bulk-loading the database for a scenario with COPY (PostgreSQL), never through the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from alerts.models import AlertSource, AlertState, Severity
from centrale.tasks.models import TaskOrigin, TaskPriority, TaskState, TaskType


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _ids(conn: asyncpg.Connection, table: str) -> list[int]:
    return [r[0] for r in await conn.fetch(f"SELECT id FROM {table} ORDER BY id")]  # noqa: S608


async def open_alerts(
    url: str,
    *,
    count: int,
    policy: dict[str, Any] | None = None,
    policy_id: int | None = None,
    due_from: datetime | None = None,
    due_span_s: float = 0.0,
    due_at: datetime | None = None,
) -> int:
    """``count`` open building-level alerts (the district sees them); with a policy, steps fall due over a span."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        condomini = await _ids(conn, "condominio")
        now = datetime.now(UTC)
        snapshot = json.dumps(policy or {})
        records = []
        for i in range(count):
            due = due_from + timedelta(seconds=due_span_s * i / max(1, count)) if due_from else due_at
            records.append(
                (
                    AlertSource.SEGNALAZIONE_SENTINELLA.value,
                    Severity.ALTA.value,
                    f"Segnalazione di prova {i}",
                    condomini[i % len(condomini)],
                    AlertState.NUOVA.value,
                    True,
                    1,
                    now,
                    now,
                    policy_id,
                    snapshot,
                    0,
                    0,
                    due,
                    f"bench-due:{due.timestamp():.3f}" if due_from and due else None,
                )
            )
        columns = [
            "source", "severity", "summary", "condominio_id", "state", "building_level", "report_count",
            "opened_at", "last_report_at", "policy_id", "policy_snapshot", "escalation_round",
            "next_step_index", "next_step_at", "dedupe_key",
        ]  # fmt: skip
        await conn.copy_records_to_table("alert", records=records, columns=columns)
        await conn.execute("ANALYZE alert")
        return count
    finally:
        await conn.close()


async def tasks(url: str, *, count: int, chunk: int = 100_000) -> int:
    """``count`` open monitoring tasks over the demo persons and tutors, due over the coming weeks."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        persons = await _ids(conn, "person")
        operators = await _ids(conn, "operator")
        now = datetime.now(UTC)
        columns = [
            "person_id", "type", "assignee_id", "due_start", "due_end", "priority", "code", "state", "origin",
            "created_at",
        ]  # fmt: skip
        for start in range(0, count, chunk):
            records = []
            for i in range(start, min(count, start + chunk)):
                due = now + timedelta(minutes=10 + i % (60 * 24 * 28))
                records.append(
                    (
                        persons[i % len(persons)],
                        TaskType.TELEFONATA.value,
                        operators[i % len(operators)],
                        due - timedelta(hours=2),
                        due,
                        TaskPriority.MEDIA.value,
                        f"B{i:010d}",
                        TaskState.APERTA.value,
                        TaskOrigin.MANUALE.value,
                        now,
                    )
                )
            await conn.copy_records_to_table("task", records=records, columns=columns)
        await conn.execute("ANALYZE task")
        return count
    finally:
        await conn.close()
