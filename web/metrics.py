"""Prometheus metrics: escalation lag, open alerts by severity, the outbox position. No personal data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import func
from sqlmodel import col, select

from alerts.escalation.jobs import oldest_due_age
from alerts.models import OPEN_STATES, Alert, Severity
from centrale.events.service import last_seq
from web import container

router = APIRouter(tags=["salute"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _metric(name: str, help_text: str, samples: list[tuple[str, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    lines += [f"{name}{labels} {value:g}" for labels, value in samples]
    return lines


@router.get("/metrics", response_class=PlainTextResponse, include_in_schema=False)
async def metrics(request: Request) -> PlainTextResponse:
    """Counts and ages only: safe to expose to the monitoring network without authentication."""
    db = container.database(request)
    age = await oldest_due_age(db)
    async with db.sessionmaker() as session:
        rows = await session.exec(
            select(col(Alert.severity), func.count())  # type: ignore[call-overload]
            .where(col(Alert.state).in_(OPEN_STATES))
            .group_by(col(Alert.severity))
        )
        open_by_severity = {Severity(s): int(n) for s, n in rows.all()}
        seq = await last_seq(session)
    lines = _metric(
        "centrale_escalation_oldest_due_step_age_seconds",
        "Seconds since the oldest due, not yet run escalation step was due",
        [("", round(age, 1))],
    )
    lines += _metric(
        "centrale_alerts_open",
        "Open alerts (nuova or presa visione) by severity",
        [(f'{{severity="{s.value}"}}', open_by_severity.get(s, 0)) for s in Severity],
    )
    lines += _metric("centrale_outbox_last_seq", "Highest committed event sequence number", [("", seq)])
    return PlainTextResponse("\n".join(lines) + "\n", media_type=CONTENT_TYPE)
