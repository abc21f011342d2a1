"""The board's in-place actions on an alert: acknowledge, assign to me, comment, resolve, timeline.

A stop-gap until the alerts API (``/api/v1/alerts/...``) exists: the board calls these through one
constant in ``static/board.js``. Each checks that the operator sees the alert (the board's scope),
refuses with an audited 403 otherwise, and writes through ``alerts.service`` (timeline and outbox).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts import service
from alerts.models import Alert, AlertOutcome
from centrale.audit.models import AuditAction, AuditPurpose
from centrale.auth.deps import Actor, CurrentActor
from centrale.authz.guard import audit_read, deny
from centrale.common import NotFound
from centrale.db import Database, DatabaseDep, SessionDep
from centrale.operators.models import Operator
from web.board.scope import alert_scope
from web.board.snapshot import alert_cards

router = APIRouter(prefix="/board/alerts", tags=["bacheca"])


async def _visible(session: AsyncSession, db: Database, actor: Actor, alert_id: int, what: str) -> Alert:
    alert = (await session.exec(select(Alert).where(col(Alert.id) == alert_id))).first()
    if alert is None:
        raise NotFound("Allerta", alert_id)
    seen = (await session.exec(select(col(Alert.id)).where(col(Alert.id) == alert_id, alert_scope(actor)))).first()
    if seen is None:
        raise await deny(
            db,
            actor,
            action=AuditAction.UPDATE,
            subtype=what,
            entity_type="Alert",
            entity_id=alert_id,
            person_id=alert.person_id,
            reason="alert outside the board's scope",
        )
    return alert


async def _card(session: AsyncSession, alert_id: int) -> dict[str, Any]:
    return (await alert_cards(session, [alert_id]))[alert_id]


@router.post("/{alert_id}/acknowledge", summary="Presa visione / acknowledge")
async def acknowledge(alert_id: int, actor: CurrentActor, session: SessionDep, db: DatabaseDep) -> dict[str, Any]:
    await _visible(session, db, actor, alert_id, "alert-acknowledge")
    await service.acknowledge(session, alert_id=alert_id, operator_id=actor.operator_id)
    await session.commit()
    return await _card(session, alert_id)


@router.post("/{alert_id}/assign-to-me", summary="Prendi in carico / assign to me")
async def assign_to_me(alert_id: int, actor: CurrentActor, session: SessionDep, db: DatabaseDep) -> dict[str, Any]:
    await _visible(session, db, actor, alert_id, "alert-assign")
    await service.assign(session, alert_id=alert_id, assignee_id=actor.operator_id, by=actor.operator_id)
    await session.commit()
    return await _card(session, alert_id)


@router.post("/{alert_id}/comment", summary="Commento / comment")
async def comment(
    alert_id: int,
    actor: CurrentActor,
    session: SessionDep,
    db: DatabaseDep,
    text: Annotated[str, Body(embed=True, min_length=1, max_length=1000)],
) -> dict[str, Any]:
    await _visible(session, db, actor, alert_id, "alert-comment")
    await service.comment(session, alert_id=alert_id, text=text, by=actor.operator_id)
    await session.commit()
    return await _card(session, alert_id)


@router.post("/{alert_id}/resolve", summary="Chiusura con esito / resolve")
async def resolve(
    alert_id: int,
    actor: CurrentActor,
    session: SessionDep,
    db: DatabaseDep,
    outcome: Annotated[AlertOutcome, Body(embed=True)],
    note: Annotated[str | None, Body(embed=True, max_length=1000)] = None,
) -> dict[str, Any]:
    await _visible(session, db, actor, alert_id, "alert-resolve")
    await service.close(session, alert_id=alert_id, by=actor.operator_id, outcome=outcome, note=note)
    await session.commit()
    return await _card(session, alert_id)


@router.get("/{alert_id}/timeline", summary="Cronologia / timeline")
async def timeline(alert_id: int, actor: CurrentActor, session: SessionDep, db: DatabaseDep) -> list[dict[str, Any]]:
    alert = await _visible(session, db, actor, alert_id, "alert-timeline")
    entries = await service.timeline(session, alert_id=alert_id)
    ids = {e.operator_id for e in entries if e.operator_id is not None}
    found = await session.exec(select(col(Operator.id), col(Operator.full_name)).where(col(Operator.id).in_(ids)))
    names = dict(found.all())
    await audit_read(
        db,
        actor,
        subtype="alert-timeline",
        entity_type="Alert",
        entity_id=alert_id,
        person_id=alert.person_id,
        purpose=AuditPurpose.ETREAT,
    )
    return [
        {"at": e.at.isoformat(), "kind": e.kind, "text": e.text, "operator": names.get(e.operator_id)} for e in entries
    ]
