"""HTTP routes for alerts: list, read with the timeline, acknowledge, assign, comment, resolve, cancel.

Thin over ``alerts.service`` (which writes the timeline and the outbox events). Every read is scoped
by ``alerts.access`` and audited when the alert names a person; every refusal is a 403 with an
audited denial and changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts import service
from alerts.access import alert_visibility, may_handle
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
from alerts.sms.feedback import record_ack_feedback, send_feedback_sms
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record
from centrale.auth.actor import Actor, actor_of
from centrale.authz.guard import audit_read, deny
from centrale.common import NotFound, Page
from centrale.condomini.models import Condominio
from centrale.events.service import commit
from centrale.persons.models import Person
from web import container
from web.api.deps import CurrentActor, PagingDep, SessionDep

router = APIRouter(prefix="/alerts", tags=["allerte"])


class AlertDetail(AlertPublic):
    """One alert with everything that happened to it and the notifications it sent."""

    timeline: list[AlertEntryPublic]
    notifications: list[NotificationPublic]


class AssignIn(BaseModel):
    assignee_id: int = Field(gt=0, description="L'operatore a cui assegnare l'allerta")


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000)


class ResolveIn(BaseModel):
    outcome: AlertOutcome = Field(description="Esito della chiusura")
    note: str | None = Field(default=None, max_length=1000)


class CancelIn(BaseModel):
    note: str | None = Field(default=None, max_length=1000, description="Perché l'allerta è annullata")


def _audit(session: AsyncSession, actor: Actor, alert: Alert, action: AuditAction, subtype: str) -> None:
    """A change to an alert about a person is a change to their data: audited with the change."""
    if alert.person_id is not None:
        record(
            session,
            build_event(
                agent=actor.agent(),
                action=action,
                subtype=subtype,
                entity_type="Alert",
                entity_id=alert.id,
                person_id=alert.person_id,
            ),
        )


async def _load(request: Request, session: AsyncSession, actor: Actor, alert_id: int, action: str) -> Alert:
    """The alert if this operator may ``action`` it: 404 if missing, 403 (audited) if not theirs."""
    alert = await session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("Allerta", alert_id)
    visible = (
        await session.exec(select(col(Alert.id)).where(col(Alert.id) == alert_id, alert_visibility(actor)))
    ).first()
    writing = action != "read"
    if visible is None or (writing and not may_handle(actor)):
        reason = f"role {actor.role} may not {action} this alert"
        raise await deny(
            container.database(request),
            actor,
            action=AuditAction.UPDATE if writing else AuditAction.READ,
            subtype=f"alert.{action}",
            entity_type="Alert",
            entity_id=alert_id,
            person_id=alert.person_id,
            reason=reason,
        )
    if writing:  # the service loads it again under its row lock, fresh
        session.expunge(alert)
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
        _audit(session, actor, alert, AuditAction.READ, "alert.list")
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
    return AlertDetail.model_validate(
        AlertPublic.model_validate(alert).model_dump()
        | {
            "timeline": [AlertEntryPublic.model_validate(e) for e in entries],
            "notifications": [NotificationPublic.model_validate(n) for n in notifications],
        }
    )


@router.get("/{alert_id}", response_model=AlertDetail, summary="Allerta e cronologia / alert and timeline")
async def read_alert(alert_id: int, request: Request, session: SessionDep, actor: CurrentActor) -> AlertDetail:
    alert = await _load(request, session, actor, alert_id, "read")
    if alert.person_id is not None:
        await audit_read(
            container.database(request),
            actor,
            subtype="alert.read",
            entity_type="Alert",
            entity_id=alert_id,
            person_id=alert.person_id,
        )
    return await _detail(session, alert)


@router.get("/{alert_id}/timeline", response_model=list[AlertEntryPublic], summary="Cronologia / timeline")
async def read_timeline(
    alert_id: int, request: Request, session: SessionDep, actor: CurrentActor
) -> list[AlertEntryPublic]:
    alert = await _load(request, session, actor, alert_id, "read")
    if alert.person_id is not None:
        await audit_read(
            container.database(request),
            actor,
            subtype="alert.timeline",
            entity_type="Alert",
            entity_id=alert_id,
            person_id=alert.person_id,
        )
    return [AlertEntryPublic.model_validate(e) for e in await service.timeline(session, alert_id=alert_id)]


@router.post("/{alert_id}/acknowledge", response_model=AlertPublic, summary="Presa visione / acknowledge")
async def acknowledge(
    alert_id: int, request: Request, session: SessionDep, actor: CurrentActor, background: BackgroundTasks
) -> AlertPublic:
    """Ferma subito ogni notifica in attesa; la sentinella che ha segnalato riceve un SMS di riscontro."""
    await _load(request, session, actor, alert_id, "acknowledge")
    alert = await service.acknowledge(session, alert_id=alert_id, operator_id=actor.operator_id)
    feedback = await record_ack_feedback(session, alert=alert, operator_id=actor.operator_id)
    _audit(session, actor, alert, AuditAction.UPDATE, "alert.acknowledge")
    await commit(session)
    if feedback:  # sent after commit, after the answer: never inside the transaction
        db, sender = container.database(request), container.sms_sender(request)
        background.add_task(send_feedback_sms, db, sender=sender)
    return AlertPublic.model_validate(alert)


@router.post("/{alert_id}/assign", response_model=AlertPublic, summary="Assegna / assign")
async def assign(
    alert_id: int, data: AssignIn, request: Request, session: SessionDep, actor: CurrentActor
) -> AlertPublic:
    """Assegna a un operatore che gestisce allerte e può vedere questa."""
    await _load(request, session, actor, alert_id, "assign")
    assignee = await actor_of(session, data.assignee_id)
    sees = (
        assignee is not None
        and (
            await session.exec(select(col(Alert.id)).where(col(Alert.id) == alert_id, alert_visibility(assignee)))
        ).first()
    )
    if assignee is None or not sees or not may_handle(assignee):
        raise HTTPException(
            status_code=422,
            detail="assignee_id: operatore inesistente o senza accesso a questa allerta / "
            "no such operator, or they may not handle this alert",
        )
    alert = await service.assign(session, alert_id=alert_id, assignee_id=data.assignee_id, by=actor.operator_id)
    _audit(session, actor, alert, AuditAction.UPDATE, "alert.assign")
    await commit(session)
    return AlertPublic.model_validate(alert)


@router.post("/{alert_id}/comments", response_model=AlertEntryPublic, status_code=201, summary="Commento / comment")
async def comment(
    alert_id: int, data: CommentIn, request: Request, session: SessionDep, actor: CurrentActor
) -> AlertEntryPublic:
    alert = await _load(request, session, actor, alert_id, "comment")
    entry = await service.comment(session, alert_id=alert_id, text=data.text, by=actor.operator_id)
    _audit(session, actor, alert, AuditAction.UPDATE, "alert.comment")
    await commit(session)
    return AlertEntryPublic.model_validate(entry)


@router.post("/{alert_id}/resolve", response_model=AlertPublic, summary="Risolvi / resolve")
async def resolve(
    alert_id: int, data: ResolveIn, request: Request, session: SessionDep, actor: CurrentActor
) -> AlertPublic:
    """Chiude l'allerta con un esito: l'escalation si ferma."""
    await _load(request, session, actor, alert_id, "resolve")
    alert = await service.close(session, alert_id=alert_id, by=actor.operator_id, outcome=data.outcome, note=data.note)
    _audit(session, actor, alert, AuditAction.UPDATE, "alert.resolve")
    await commit(session)
    return AlertPublic.model_validate(alert)


@router.post("/{alert_id}/cancel", response_model=AlertPublic, summary="Annulla / cancel")
async def cancel(
    alert_id: int, data: CancelIn, request: Request, session: SessionDep, actor: CurrentActor
) -> AlertPublic:
    """Annulla un'allerta aperta per errore: l'escalation si ferma."""
    await _load(request, session, actor, alert_id, "cancel")
    alert = await service.close(
        session, alert_id=alert_id, by=actor.operator_id, outcome=None, note=data.note, cancel=True
    )
    _audit(session, actor, alert, AuditAction.UPDATE, "alert.cancel")
    await commit(session)
    return AlertPublic.model_validate(alert)
