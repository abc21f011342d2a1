"""SIUSS flows in the database: emit (with the daily progressive), list for INPS, record INPS's outcome."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.actor import Actor
from centrale.cases.models import Case
from centrale.clock import to_rome, utcnow
from centrale.db import dialect_of
from centrale.events.service import emit
from centrale.settings import Settings
from integrations.siuss.flow import FlowNotEmitted, MissingField, flow_id, missing_fields, render_flow
from integrations.siuss.mapping import planned_flows
from integrations.siuss.models import (
    BlockedPrestazione,
    FlowStatus,
    GenerationResult,
    SiussCounter,
    SiussData,
    SiussDataIn,
    SiussFlow,
    SiussFlowPublic,
    SiussStatus,
)

NO_PLAN = MissingField(field="piano", label="Un progetto personalizzato attivo con almeno un intervento")


def _id(value: int | None) -> int:
    assert value is not None
    return value


async def save_data(session: AsyncSession, *, case: Case, data: SiussDataIn, actor: Actor) -> SiussData:
    """Create or replace the case's SIUSS data."""
    row = await session.get(SiussData, _id(case.id))
    if row is None:
        row = SiussData(case_id=_id(case.id), updated_by_id=actor.operator_id)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    row.updated_by_id, row.updated_at = actor.operator_id, utcnow()
    session.add(row)
    await session.flush()
    return row


async def next_progressive(session: AsyncSession, *, codice_ente: str, day: date) -> int:
    """The next daily progressive; the counter row stays locked until the caller commits."""
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    await session.exec(
        insert(SiussCounter).values(codice_ente=codice_ente, day=day, last=0).on_conflict_do_nothing()  # type: ignore[arg-type]
    )
    result = await session.exec(
        update(SiussCounter)  # type: ignore[arg-type]
        .where(col(SiussCounter.codice_ente) == codice_ente, col(SiussCounter.day) == day)
        .values(last=col(SiussCounter.last) + 1)
        .returning(col(SiussCounter.last))
    )
    return int(result.scalar_one())  # type: ignore[attr-defined]


async def _next_ts_ms(session: AsyncSession, now: datetime) -> int:
    """Strictly increasing flow timestamps, so that INPS's ``since`` never skips a flow of the same ms."""
    top = (await session.exec(select(func.max(col(SiussFlow.ts_ms))))).one()
    return max(int(now.timestamp() * 1000), int(top or 0) + 1)


def _content_hash(xml_without_name: str) -> str:
    return hashlib.sha256(xml_without_name.encode()).hexdigest()


async def generate(session: AsyncSession, *, case: Case, actor: Actor, settings: Settings) -> GenerationResult:
    """Emit one flow per intervention whose data are complete and changed since its last accepted flow."""
    planned = await planned_flows(session, case=case, settings=settings)
    if not planned:
        return GenerationResult(
            emitted=[], blocked=[BlockedPrestazione(intervention_id=None, codice_prestazione=None, missing=[NO_PLAN])]
        )
    emitted: list[SiussFlowPublic] = []
    blocked: list[BlockedPrestazione] = []
    for item in planned:
        intervention = item.intervention
        assert intervention is not None
        missing = missing_fields(item.data)
        if missing:
            blocked.append(
                BlockedPrestazione(
                    intervention_id=intervention.id, codice_prestazione=intervention.service_code, missing=missing
                )
            )
            continue
        digest = _content_hash(item.data.model_copy(update={"nome_flusso": "-"}).model_dump_json())
        previous = (
            await session.exec(
                select(SiussFlow)
                .where(col(SiussFlow.intervention_id) == intervention.id, col(SiussFlow.status) != FlowStatus.SCARTATO)
                .order_by(col(SiussFlow.id).desc())
            )
        ).first()
        if previous is not None and previous.content_hash == digest:
            continue  # INPS already has exactly this
        now = utcnow()
        progressive = await next_progressive(session, codice_ente=settings.siuss_codice_ente, day=to_rome(now).date())
        name = flow_id(settings.siuss_codice_ente, to_rome(now).date(), progressive)
        try:
            xml = render_flow(item.data.model_copy(update={"nome_flusso": name}))
        except FlowNotEmitted as refused:
            blocked.append(
                BlockedPrestazione(
                    intervention_id=intervention.id,
                    codice_prestazione=intervention.service_code,
                    missing=refused.missing,
                    errors=refused.errors,
                )
            )
            continue
        row = SiussFlow(
            id_flusso=name,
            case_id=_id(case.id),
            person_id=case.person_id,
            plan_id=intervention.plan_id,
            intervention_id=intervention.id,
            codice_prestazione=intervention.service_code,
            xml=xml.decode("utf-8"),
            ts_ms=await _next_ts_ms(session, now),
            created_at=now,
            created_by_id=actor.operator_id,
            content_hash=digest,
        )
        session.add(row)
        await session.flush()
        emit(
            session,
            kind="siuss.flow.emitted",
            entity_type="Case",
            entity_id=case.id,
            person_id=case.person_id,
            payload={"id_flusso": name},
        )
        emitted.append(SiussFlowPublic.model_validate(row))
    return GenerationResult(emitted=emitted, blocked=blocked)


async def case_status(session: AsyncSession, *, case: Case, settings: Settings) -> SiussStatus:
    """The flows of the case with INPS's outcome, and what blocks the interventions not yet sendable."""
    flows = (
        await session.exec(select(SiussFlow).where(col(SiussFlow.case_id) == case.id).order_by(col(SiussFlow.id)))
    ).all()
    planned = await planned_flows(session, case=case, settings=settings)
    blocked = [
        BlockedPrestazione(
            intervention_id=p.intervention.id if p.intervention else None,
            codice_prestazione=p.data.prestazione.codice,
            missing=missing_fields(p.data),
        )
        for p in planned
        if missing_fields(p.data)
    ]
    if not planned:
        blocked = [BlockedPrestazione(intervention_id=None, codice_prestazione=None, missing=[NO_PLAN])]
    public = [SiussFlowPublic.model_validate(f) for f in flows]
    data = await session.get(SiussData, _id(case.id))
    return SiussStatus(
        case_id=_id(case.id),
        flows=public,
        blocked=blocked,
        rejected=[f for f in public if f.status == FlowStatus.SCARTATO],
        data=data.model_dump(mode="json") if data else None,
    )


async def flows_since(session: AsyncSession, *, since_ms: int, limit: int) -> Sequence[SiussFlow]:
    """Flows updated after ``since_ms``, oldest first (what INPS has not acquired yet)."""
    rows = await session.exec(
        select(SiussFlow).where(col(SiussFlow.ts_ms) > since_ms).order_by(col(SiussFlow.ts_ms)).limit(limit)
    )
    return rows.all()


async def record_esito(
    session: AsyncSession,
    *,
    id_flusso: str,
    codice_esito: str,
    descrizione: str | None,
    ts_acquisizione: datetime,
    id_acquisizione: str | None,
) -> SiussFlow | None:
    """Store INPS's outcome for one flow; a refused flow turns SCARTATO (the case manager sees why)."""
    row = (await session.exec(select(SiussFlow).where(col(SiussFlow.id_flusso) == id_flusso))).first()
    if row is None:
        return None
    if ts_acquisizione.tzinfo is None:  # INPS's examples carry a zone; a bare time is read as UTC
        ts_acquisizione = ts_acquisizione.replace(tzinfo=UTC)
    row.codice_esito, row.descrizione_esito = codice_esito, (descrizione or "")[:2000] or None
    row.ts_acquisizione, row.id_acquisizione_siuss, row.esito_at = ts_acquisizione, id_acquisizione, utcnow()
    row.status = FlowStatus.ACQUISITO if codice_esito == "OK" else FlowStatus.SCARTATO
    session.add(row)
    emit(
        session,
        kind=f"siuss.flow.{row.status.lower()}",
        entity_type="Case",
        entity_id=row.case_id,
        person_id=row.person_id,
        payload={"id_flusso": id_flusso, "codice_esito": codice_esito},
    )
    return row
