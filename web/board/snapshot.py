"""What a board client sees on connecting: open alerts and the other panels, as this operator may see them.

Each side panel (``panels.py``) is one loader in ``PANELS``; a new domain adds itself there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import alert_visibility
from alerts.models import OPEN_STATES, Alert
from centrale.audit.models import AuditAction, AuditPurpose
from centrale.audit.service import build_event, record
from centrale.auth.deps import Actor
from centrale.condomini.models import Condominio
from centrale.events.service import last_seq
from centrale.operators.models import Operator
from centrale.persons.models import Person
from web.board import panels

Panel = Callable[[AsyncSession, Actor], Awaitable[Any]]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person_label(person: Person | None) -> str | None:
    # minimal: surname and initial, enough to recognise the person on a shared screen
    return f"{person.cognome} {person.nome[:1]}." if person is not None else None


def _alert_query():  # type: ignore[no-untyped-def]
    acker = aliased(Operator)
    holder = aliased(Operator)
    return (
        select(Alert, Person, Condominio, acker.full_name, holder.full_name)  # type: ignore[call-overload]
        .outerjoin(Person, col(Person.id) == col(Alert.person_id))
        .outerjoin(Condominio, col(Condominio.id) == col(Alert.condominio_id))
        .outerjoin(acker, acker.id == col(Alert.acknowledged_by))
        .outerjoin(holder, holder.id == col(Alert.assigned_to))
    )


def _card(
    alert: Alert, person: Person | None, condominio: Condominio | None, acker: str | None, holder: str | None
) -> dict[str, Any]:
    return {
        "id": alert.id,
        "severity": alert.severity,
        "state": alert.state,
        "source": alert.source,
        "summary": alert.summary,
        "person_id": alert.person_id,
        "person": _person_label(person),
        "condominio_id": alert.condominio_id,
        "condominio": condominio.name if condominio is not None else None,
        "municipio": (condominio.municipio if condominio is not None else None)
        or (person.municipio if person is not None else None),
        "building_level": alert.building_level,
        "report_count": alert.report_count,
        "opened_at": _iso(alert.opened_at),
        "last_report_at": _iso(alert.last_report_at),
        "acknowledged_at": _iso(alert.acknowledged_at),
        "acknowledged_by": acker,
        "assigned_to": alert.assigned_to,
        "assigned_to_name": holder,
        "resolved_at": _iso(alert.resolved_at),
    }


async def alert_cards(session: AsyncSession, alert_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Board cards of these alerts as they are now (one query for a batch of events)."""
    ids = sorted(set(alert_ids))
    if not ids:
        return {}
    rows = (await session.exec(_alert_query().where(col(Alert.id).in_(ids)))).all()
    return {row[0].id: _card(*row) for row in rows}


def audit_shown(session: AsyncSession, actor: Actor, cards: Iterable[dict[str, Any]], subtype: str) -> None:
    """One audit row per person whose alert reached this operator's board."""
    seen: set[int] = set()
    for card in cards:
        person_id = card.get("person_id")
        if person_id is None or person_id in seen:
            continue
        seen.add(person_id)
        record(
            session,
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype=subtype,
                entity_type="Alert",
                entity_id=card["id"],
                person_id=person_id,
                purpose=AuditPurpose.ETREAT,
            ),
        )


async def open_alerts(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    query = _alert_query().where(col(Alert.state).in_(OPEN_STATES), alert_visibility(actor))
    rows = (await session.exec(query.order_by(col(Alert.opened_at)))).all()
    return [_card(*row) for row in rows]


#: panel name -> loader
PANELS: dict[str, Panel] = {
    "overdue_tasks": panels.overdue_tasks,
    "done_today": panels.done_today,
    "checkins": panels.checkins,
    "heat": panels.heat,
    "opted_out": panels.opted_out_sentinels,
}


async def take_snapshot(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    """The snapshot message; ``seq`` is read first, so replaying events after it converges on the truth."""
    seq = await last_seq(session)
    alerts = await open_alerts(session, actor)
    message: dict[str, Any] = {"type": "snapshot", "seq": seq, "alerts": alerts}
    for name, panel in PANELS.items():
        message[name] = await panel(session, actor)
    audit_shown(session, actor, alerts, "board-snapshot")
    await session.commit()
    return message
