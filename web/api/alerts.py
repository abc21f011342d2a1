"""HTTP routes for alerts: list, read (timeline, reports, escalation story), acknowledge, take, assign, comment,
resolve, cancel.

Every read is scoped by ``alerts.access`` and audited when the alert names a person. Each action calls
its flow (``alerts.flows``), which authorises, audits, changes and emits; a refusal is a domain error
(403 with an audited denial, and nothing changed), made into HTTP by ``web/errors.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts import service
from alerts.access import alert_visibility, sees
from alerts.flows import acknowledge_alert, assign_alert, cancel_alert, comment_alert, resolve_alert, take_alert
from alerts.models import (
    Alert,
    AlertEntryPublic,
    AlertOutcome,
    AlertPublic,
    AlertSource,
    AlertState,
    Notification,
    NotificationPublic,
    Severity,
)
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record
from centrale.auth.actor import Actor
from centrale.authz.guard import audit_read, deny
from centrale.common import Page
from centrale.condomini.models import Condominio
from centrale.db import Database
from centrale.errors import NotFound
from centrale.events.service import commit
from centrale.operators.models import Operator
from centrale.persons.models import Person
from web import container
from web.api.deps import CurrentActor, DatabaseDep, PagingDep, SessionDep, TxDep, flow_route
from web.board.story import building_reports_of, reports_of, stories_of

router = APIRouter(prefix="/alerts", tags=["allerte"])


class ReportPublic(BaseModel):
    """A report on the alert as its sender wrote it."""

    sms_id: int
    at: datetime
    text: str
    sender: str | None = Field(description="La sentinella (assente: numero non registrato)")
    phone: str | None


class AlertDetail(AlertPublic):
    """One alert with everything that happened to it, the reports' words (newest first), the
    notifications it sent and its escalation told as a story (the current round; the next step)."""

    timeline: list[AlertEntryPublic]
    reports: list[ReportPublic]
    notifications: list[NotificationPublic]
    story: dict[str, Any] | None


class AssignIn(BaseModel):
    assignee_id: int | None = Field(
        default=None, gt=0, description="L'operatore a cui assegnare l'allerta (assente: chi la prende in carico)"
    )


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000)


class ResolveIn(BaseModel):
    outcome: AlertOutcome = Field(description="Esito della chiusura")
    note: str | None = Field(default=None, max_length=1000)


class CancelIn(BaseModel):
    note: str | None = Field(default=None, max_length=1000, description="Perché l'allerta è annullata")


def _audit_read(session: AsyncSession, actor: Actor, alert: Alert, subtype: str) -> None:
    """An alert shown that names a person is a read of their data."""
    if alert.person_id is not None:
        record(
            session,
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype=subtype,
                entity_type="Alert",
                entity_id=alert.id,
                person_id=alert.person_id,
            ),
        )


async def _readable(db: Database, session: AsyncSession, actor: Actor, alert_id: int, subtype: str) -> Alert:
    """The alert if this operator may see it: NotFound if missing, an audited refusal if not theirs."""
    alert = await session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("Allerta", alert_id)
    if not await sees(session, actor, alert_id):
        raise await deny(
            db,
            actor,
            action=AuditAction.READ,
            subtype=subtype,
            entity_type="Alert",
            entity_id=alert_id,
            person_id=alert.person_id,
            reason=f"role {actor.role} may not read this alert",
        )
    if alert.person_id is not None:
        await audit_read(db, actor, subtype=subtype, entity_type="Alert", entity_id=alert_id, person_id=alert.person_id)
    return alert


@router.get("", response_model=Page[AlertPublic], summary="Allerte / alerts")
async def list_alerts(
    session: SessionDep,
    actor: CurrentActor,
    paging: PagingDep,
    state: Annotated[list[AlertState] | None, Query(description="Stati (ripetibile)")] = None,
    severity: Annotated[list[Severity] | None, Query(description="Priorità (ripetibile)")] = None,
    source: AlertSource | None = None,
    municipio: Annotated[str | None, Query(max_length=10)] = None,
    condominio_id: Annotated[int | None, Query(gt=0)] = None,
    person_id: Annotated[int | None, Query(gt=0)] = None,
) -> Page[AlertPublic]:
    """Le allerte visibili all'operatore, dalla più recente, con filtri."""
    where = [alert_visibility(actor)]
    if state:
        where.append(col(Alert.state).in_(state))
    if severity:
        where.append(col(Alert.severity).in_(severity))
    if source is not None:
        where.append(col(Alert.source) == source)
    if condominio_id is not None:
        where.append(col(Alert.condominio_id) == condominio_id)
    if person_id is not None:
        where.append(col(Alert.person_id) == person_id)
    if municipio is not None:
        where.append(
            or_(
                col(Alert.person_id).in_(select(col(Person.id)).where(col(Person.municipio) == municipio)),
                col(Alert.condominio_id).in_(select(col(Condominio.id)).where(col(Condominio.municipio) == municipio)),
            )
        )
    total = (await session.exec(select(func.count()).select_from(Alert).where(*where))).one()
    rows = (
        await session.exec(
            select(Alert)
            .where(*where)
            .order_by(col(Alert.opened_at).desc(), col(Alert.id).desc())
            .offset(paging.offset)
            .limit(paging.limit)
        )
    ).all()
    for alert in rows:  # each alert shown that names a person is a read of their data
        _audit_read(session, actor, alert, "alert.list")
    await commit(session)
    return Page(data=[AlertPublic.model_validate(a) for a in rows], count=total)


async def _detail(session: AsyncSession, alert: Alert) -> AlertDetail:
    assert alert.id is not None
    entries = await service.timeline(session, alert_id=alert.id)
    notifications = (
        await session.exec(
            select(Notification).where(col(Notification.alert_id) == alert.id).order_by(col(Notification.id))
        )
    ).all()
    if alert.building_level and alert.condominio_id is not None:
        found = await building_reports_of(session, {alert.id: (alert.condominio_id, alert.opened_at)}, limit=None)
    else:
        found = await reports_of(session, [alert.id], limit=None)
    reports, _ = found.get(alert.id, ([], 0))
    card: dict[str, Any] = {"state": alert.state}
    escalation = (alert.escalation_round, alert.next_step_index, alert.next_step_at, alert.policy_snapshot or {})
    await stories_of(session, {alert.id: escalation}, {alert.id: card})
    return AlertDetail.model_validate(
        AlertPublic.model_validate(alert).model_dump()
        | {
            "timeline": [AlertEntryPublic.model_validate(e) for e in entries],
            "reports": reports,
            "notifications": [NotificationPublic.model_validate(n) for n in notifications],
            "story": card.get("story"),
        }
    )


@router.get("/{alert_id}", response_model=AlertDetail, summary="Allerta e cronologia / alert and timeline")
async def read_alert(alert_id: int, db: DatabaseDep, session: SessionDep, actor: CurrentActor) -> AlertDetail:
    return await _detail(session, await _readable(db, session, actor, alert_id, "alert.read"))


class TimelineLine(AlertEntryPublic):
    """A line of the timeline with the name of the operator who wrote it (the board shows names, not ids)."""

    operator_name: str | None = None


@router.get("/{alert_id}/timeline", response_model=list[TimelineLine], summary="Cronologia / timeline")
async def read_timeline(alert_id: int, db: DatabaseDep, session: SessionDep, actor: CurrentActor) -> list[TimelineLine]:
    await _readable(db, session, actor, alert_id, "alert.timeline")
    entries = await service.timeline(session, alert_id=alert_id)
    ids = {e.operator_id for e in entries if e.operator_id is not None}
    names: dict[int | None, str] = {}
    if ids:
        rows = await session.exec(select(col(Operator.id), col(Operator.full_name)).where(col(Operator.id).in_(ids)))
        names = {operator_id: name for operator_id, name in rows.all()}
    return [
        TimelineLine.model_validate(
            AlertEntryPublic.model_validate(e).model_dump() | {"operator_name": names.get(e.operator_id)}
        )
        for e in entries
    ]


@router.post(
    "/{alert_id}/acknowledge",
    response_model=AlertPublic,
    summary="Presa visione / acknowledge",
    openapi_extra=flow_route("alert.acknowledge"),
)
async def acknowledge(alert_id: int, request: Request, tx: TxDep) -> AlertPublic:
    """Ferma subito ogni notifica in attesa; la sentinella che ha segnalato riceve un SMS di riscontro."""
    alert = await acknowledge_alert(tx, alert_id=alert_id, sender=container.sms_sender(request))
    await tx.commit()
    return AlertPublic.model_validate(alert)


@router.post(
    "/{alert_id}/assign",
    response_model=AlertPublic,
    summary="Assegna / assign",
    openapi_extra=flow_route("alert.assign"),
)
async def assign(alert_id: int, data: AssignIn, tx: TxDep) -> AlertPublic:
    """Assegna a un operatore che gestisce allerte e può vedere questa (a sé stessi: la prende in carico)."""
    alert = await assign_alert(tx, alert_id=alert_id, assignee_id=data.assignee_id)
    await tx.commit()
    return AlertPublic.model_validate(alert)


@router.post(
    "/{alert_id}/take",
    response_model=AlertPublic,
    summary="Prendi in carico / take ownership",
    openapi_extra=flow_route("alert.take"),
)
async def take(alert_id: int, request: Request, tx: TxDep) -> AlertPublic:
    """Presa visione (se nessuno l'ha già data: l'escalation si ferma) e assegnazione a sé, insieme."""
    alert = await take_alert(tx, alert_id=alert_id, sender=container.sms_sender(request))
    await tx.commit()
    return AlertPublic.model_validate(alert)


@router.post(
    "/{alert_id}/comments",
    response_model=AlertEntryPublic,
    status_code=201,
    summary="Commento / comment",
    openapi_extra=flow_route("alert.comment"),
)
async def comment(alert_id: int, data: CommentIn, tx: TxDep) -> AlertEntryPublic:
    entry = await comment_alert(tx, alert_id=alert_id, text=data.text)
    await tx.commit()
    return AlertEntryPublic.model_validate(entry)


@router.post(
    "/{alert_id}/resolve",
    response_model=AlertPublic,
    summary="Risolvi / resolve",
    openapi_extra=flow_route("alert.resolve"),
)
async def resolve(alert_id: int, data: ResolveIn, tx: TxDep) -> AlertPublic:
    """Chiude l'allerta con un esito: l'escalation si ferma."""
    alert = await resolve_alert(tx, alert_id=alert_id, outcome=data.outcome, note=data.note)
    await tx.commit()
    return AlertPublic.model_validate(alert)


@router.post(
    "/{alert_id}/cancel",
    response_model=AlertPublic,
    summary="Annulla / cancel",
    openapi_extra=flow_route("alert.cancel"),
)
async def cancel(alert_id: int, data: CancelIn, tx: TxDep) -> AlertPublic:
    """Annulla un'allerta aperta per errore: l'escalation si ferma."""
    alert = await cancel_alert(tx, alert_id=alert_id, note=data.note)
    await tx.commit()
    return AlertPublic.model_validate(alert)
