"""The daily coverage check: no escalation may fall silent because nobody can be reached.

For every role used by an active stored policy, find who the role would reach and whether they can
be reached on the step's channels (the board always can; the personal channel needs an active
operator; SMS needs a phone that did not opt out; the coordinatore di turno and the PUA need someone
on duty now, by the rota). Roles that depend on the alert are checked where they apply: the tutor for every
condominio with assisted persons, the case manager for every organisation that registered persons,
the GP for every practice named by a person. The roles the rota decides are also looked at hour by
hour over the week ahead (``alerts.rota.holes``): each hole is reported in words. Gaps and holes raise
one alert, at most one per day, and the coordinators read the holes on their personal channel; the
alert says which role, where and when, never who is assisted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.models import EscalationPolicy, PolicyRole, PolicyStep
from alerts.escalation.roles import ROTA_ROLES
from alerts.models import Alert, AlertSource, Channel, Severity
from alerts.raising import raise_alert
from alerts.rota.holes import Hole, week_holes
from alerts.sms.service import is_opted_out
from centrale.clock import to_rome, utcnow
from centrale.condomini.models import AssistedPerson, Condominio
from centrale.db import Database
from centrale.events.service import commit, emit
from centrale.flows import flow
from centrale.operators.models import Operator, Role
from centrale.persons.models import Person
from centrale.rota.service import on_duty, roles_with_rota

COVERAGE_LOCK = 4_242_001  # advisory lock key of the daily check (PostgreSQL)


@dataclass(frozen=True)
class Gap:
    role: PolicyRole
    channels: tuple[Channel, ...]
    where: str  # "distretto", "condominio 3", "organizzazione 5"


def _active() -> tuple[object, ...]:
    return (col(Operator.active).is_(True), col(Operator.deleted_at).is_(None))


async def _ops(session: AsyncSession, *where: object) -> Sequence[Operator]:
    return (await session.exec(select(Operator).where(*_active(), *where))).all()  # type: ignore[arg-type]


async def _reachable(session: AsyncSession, operators: Sequence[Operator], step: PolicyStep) -> bool:
    if Channel.BACHECA in step.channels or (Channel.PERSONALE in step.channels and operators):
        return True
    if Channel.SMS in step.channels:
        for op in operators:
            if op.phone and not await is_opted_out(session, phone=op.phone):
                return True
    return False


async def _scopes(session: AsyncSession, role: PolicyRole, now: datetime) -> list[tuple[str, Sequence[Operator]]]:
    """Each place the role must cover, with the operators it would reach there (the rota's roles: now)."""
    if role in (PolicyRole.COORDINATORE_DI_TURNO, PolicyRole.OPERATORE_PUA):
        return [("distretto", await on_duty(session, ROTA_ROLES[role], now))]
    if role == PolicyRole.AMMINISTRATORE:  # as escalation resolves them: by the rota when they keep one
        if Role.AMMINISTRATORE in await roles_with_rota(session):
            return [("distretto", await on_duty(session, Role.AMMINISTRATORE, now))]
        return [("distretto", await _ops(session, col(Operator.role) == Role.AMMINISTRATORE))]
    scopes: list[tuple[str, Sequence[Operator]]] = []
    if role == PolicyRole.TUTOR:
        assisted = select(col(AssistedPerson.condominio_id)).where(col(AssistedPerson.active).is_(True))
        condomini = await session.exec(
            select(Condominio).where(col(Condominio.deleted_at).is_(None), col(Condominio.id).in_(assisted))
        )
        for cond in condomini.all():
            tutors = [] if cond.operator_id is None else await _ops(session, col(Operator.id) == cond.operator_id)
            scopes.append((f"condominio {cond.id}", tutors))
        return scopes
    column = Person.registered_by_org_id if role == PolicyRole.CASE_MANAGER else Person.mmg_organisation_id
    wanted = Role.CASE_MANAGER if role == PolicyRole.CASE_MANAGER else Role.MMG
    org_ids = await session.exec(
        select(col(column)).where(col(Person.deleted_at).is_(None), col(column).is_not(None)).distinct()
    )
    for org_id in sorted(o for o in org_ids.all() if o is not None):
        ops = await _ops(session, col(Operator.role) == wanted, col(Operator.organisation_id) == org_id)
        scopes.append((f"organizzazione {org_id}", ops))
    return scopes


async def coverage_gaps(session: AsyncSession, *, now: datetime | None = None) -> list[Gap]:
    """Every (role, channels, place) of an active policy step where nobody can be reached (now)."""
    now = now or utcnow()
    policies = (await session.exec(select(EscalationPolicy).where(col(EscalationPolicy.active).is_(True)))).all()
    steps = {(s.role, tuple(s.channels)): s for p in policies for s in (PolicyStep.model_validate(x) for x in p.steps)}
    gaps: list[Gap] = []
    for (role, channels), step in sorted(steps.items()):
        for where, operators in await _scopes(session, role, now):
            if not await _reachable(session, operators, step):
                gaps.append(Gap(role=role, channels=channels, where=where))
    return gaps


def _summary(gaps: list[Gap], holes: list[Hole]) -> str:
    parts = [f"{g.role} via {'/'.join(g.channels)} ({g.where})" for g in gaps] + [h.words for h in holes]
    text = "Escalation senza destinatari raggiungibili: " + "; ".join(parts)
    return text if len(text) <= 500 else text[:497] + "..."


async def _tell_coordinators(session: AsyncSession, holes: list[Hole], now: datetime) -> None:
    """Each hole, in words, on the personal channel of the coordinators on duty (all coordinators if none)."""
    coordinators = await on_duty(session, Role.COORDINATORE, now) or await _ops(
        session, col(Operator.role) == Role.COORDINATORE
    )
    text = "Turni scoperti nei prossimi 7 giorni: " + "; ".join(h.words for h in holes)
    for op in coordinators:
        emit(
            session,
            kind="rota.coverage",
            entity_type="Operator",
            entity_id=op.id,
            recipient_operator_id=op.id,
            payload={"text": text},
        )


@flow("coverage.check", guarded=False)
async def check_coverage(database: Database, *, now: datetime | None = None) -> int | None:
    """Daily: raise one alert for the administrator if any policy role reaches nobody; its id, or None."""
    now = now or utcnow()
    key = f"copertura:{to_rome(now).date().isoformat()}"
    async with database.sessionmaker() as session:
        if not database.is_sqlite:  # instances run this at the same minute: one at a time decides
            await session.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=COVERAGE_LOCK))  # type: ignore[call-overload]
        already = (await session.exec(select(col(Alert.id)).where(col(Alert.dedupe_key) == key))).first()
        if already is not None:  # once a day, even if that alert was already closed
            return None
        gaps = await coverage_gaps(session, now=now)
        holes = await week_holes(session, start=now)
        if not gaps and not holes:
            return None
        raised = await raise_alert(
            session,
            source=AlertSource.SISTEMA,
            severity=Severity.ALTA,
            summary=_summary(gaps, holes),
            dedupe_key=key,
            report={
                "lacune": [{"ruolo": g.role, "canali": list(g.channels), "dove": g.where} for g in gaps],
                "scoperture": [
                    {"ruolo": h.role, "dal": h.starts_at.isoformat(), "al": h.ends_at.isoformat(), "testo": h.words}
                    for h in holes
                ],
            },
            now=now,
        )
        if holes:
            await _tell_coordinators(session, holes, now)
        await commit(session)
        return raised.alert.id
