"""Scheduled work every instance runs: the escalation tick and the auditor of late steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from alerts.models import Alert, AlertSource, AlertState, Severity
from alerts.raising import raise_alert
from centrale.clock import utcnow
from centrale.db import Database
from centrale.events.service import commit

LATE_AFTER = timedelta(seconds=60)


async def oldest_due_age(database: Database) -> float:
    """Seconds since the oldest due, not yet run escalation step was due (0 when none is due)."""
    async with database.sessionmaker() as session:
        oldest = (
            await session.exec(
                select(func.min(Alert.next_step_at)).where(
                    col(Alert.state) == AlertState.NUOVA, col(Alert.next_step_at).is_not(None)
                )
            )
        ).one()
    if oldest is None:
        return 0.0
    return max(0.0, (utcnow() - oldest).total_seconds())


async def audit_late_steps(database: Database) -> dict[str, Any]:
    """Readiness detail; a step late by more than 60 s also raises a warning alert (once while open)."""
    age = await oldest_due_age(database)
    late = age > LATE_AFTER.total_seconds()
    if late:
        async with database.sessionmaker() as session:
            await raise_alert(
                session,
                source=AlertSource.SISTEMA,
                severity=Severity.MEDIA,
                summary="Passi di escalation in ritardo: verificare lo scheduler",
                dedupe_key="auditor.passi_in_ritardo",
            )
            await commit(session)
    return {"status": "late" if late else "ok", "oldest_due_step_age_seconds": round(age, 1)}
