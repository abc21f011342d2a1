"""Escalation policies: defaults, choice for an alert, the snapshot an alert keeps, administrator edits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.models import (
    EscalationPolicy,
    EscalationPolicyCreate,
    EscalationPolicyUpdate,
    PolicyRole,
    PolicyStep,
)
from alerts.escalation.office_hours import next_office_time
from alerts.models import AlertSource, Channel, Severity
from centrale.clock import utcnow
from centrale.common import Conflict, NotFound
from centrale.events.service import commit
from centrale.fastsql import Fixed

R, C = PolicyRole, Channel


def _step(role: PolicyRole, channels: list[Channel], wait: int, office: bool = False) -> PolicyStep:
    return PolicyStep(role=role, channels=channels, wait_minutes=wait, office_hours=office)


#: The seeded defaults, most urgent first. Administrators edit them from the API.
DEFAULT_POLICIES: list[EscalationPolicyCreate] = [
    EscalationPolicyCreate(
        name="Urgente",
        severity=Severity.URGENTE,
        repeat_last=2,
        ack_timeout_minutes=30,
        steps=[
            _step(R.TUTOR, [C.BACHECA, C.PERSONALE, C.SMS], 5),
            _step(R.COORDINATORE_DI_TURNO, [C.PERSONALE, C.SMS], 10),
            _step(R.OPERATORE_PUA, [C.PERSONALE, C.SMS], 15),
        ],
    ),
    EscalationPolicyCreate(
        name="Alta",
        severity=Severity.ALTA,
        repeat_last=1,
        ack_timeout_minutes=60,
        steps=[
            _step(R.TUTOR, [C.BACHECA, C.PERSONALE, C.SMS], 10),
            _step(R.COORDINATORE_DI_TURNO, [C.PERSONALE, C.SMS], 20),
            _step(R.CASE_MANAGER, [C.PERSONALE, C.SMS], 30),
        ],
    ),
    EscalationPolicyCreate(
        name="Media",
        severity=Severity.MEDIA,
        ack_timeout_minutes=240,
        steps=[
            _step(R.TUTOR, [C.BACHECA, C.PERSONALE], 60),
            _step(R.CASE_MANAGER, [C.PERSONALE, C.SMS], 240, office=True),
            _step(R.COORDINATORE_DI_TURNO, [C.PERSONALE], 0),
        ],
    ),
    EscalationPolicyCreate(
        name="Bassa",
        severity=Severity.BASSA,
        ack_timeout_minutes=1440,
        steps=[
            _step(R.TUTOR, [C.BACHECA, C.PERSONALE], 240),
            _step(R.CASE_MANAGER, [C.PERSONALE], 1440, office=True),
        ],
    ),
    EscalationPolicyCreate(
        name="Attività scaduta",
        source=AlertSource.ATTIVITA_SCADUTA,
        ack_timeout_minutes=1440,
        steps=[
            _step(R.TUTOR, [C.BACHECA, C.PERSONALE], 60),
            _step(R.CASE_MANAGER, [C.PERSONALE], 240),
            _step(R.COORDINATORE_DI_TURNO, [C.PERSONALE], 0),
        ],
    ),
    EscalationPolicyCreate(
        name="Revisione del piano",
        source=AlertSource.REVISIONE_PIANO,
        ack_timeout_minutes=2880,
        steps=[
            _step(R.CASE_MANAGER, [C.BACHECA, C.PERSONALE], 2880, office=True),
            _step(R.COORDINATORE_DI_TURNO, [C.PERSONALE], 0, office=True),
        ],
    ),
    EscalationPolicyCreate(
        name="Dimissione protetta",
        source=AlertSource.DIMISSIONE_PROTETTA,
        ack_timeout_minutes=240,
        steps=[
            _step(R.OPERATORE_PUA, [C.BACHECA, C.PERSONALE], 60),
            _step(R.CASE_MANAGER, [C.PERSONALE], 60),
            _step(R.COORDINATORE_DI_TURNO, [C.PERSONALE, C.SMS], 0),
        ],
    ),
    EscalationPolicyCreate(
        name="Sistema",
        source=AlertSource.SISTEMA,
        repeat_last=1,
        ack_timeout_minutes=240,
        steps=[
            _step(R.AMMINISTRATORE, [C.BACHECA, C.PERSONALE], 60),
            _step(R.COORDINATORE_DI_TURNO, [C.PERSONALE], 120),
        ],
    ),
]


async def seed_default_policies(session: AsyncSession) -> int:
    """Add the default policies that are missing (by name); returns how many were added."""
    existing = set((await session.exec(select(col(EscalationPolicy.name)))).all())
    added = 0
    for policy in DEFAULT_POLICIES:
        if policy.name not in existing:
            await create_policy(session, data=policy)
            added += 1
    await commit(session)
    return added


async def create_policy(session: AsyncSession, *, data: EscalationPolicyCreate) -> EscalationPolicy:
    """Store a new policy (409 on a name already taken)."""
    clash = (await session.exec(select(EscalationPolicy).where(col(EscalationPolicy.name) == data.name))).first()
    if clash is not None:
        raise Conflict(f"Esiste già una politica '{data.name}' / a policy with this name exists")
    policy = EscalationPolicy.model_validate(
        data.model_dump(exclude={"steps"}) | {"steps": [s.model_dump(mode="json") for s in data.steps]}
    )
    session.add(policy)
    await session.flush()
    return policy


async def get_policy(session: AsyncSession, *, policy_id: int) -> EscalationPolicy:
    policy = await session.get(EscalationPolicy, policy_id)
    if policy is None:
        raise NotFound("Politica", policy_id)
    return policy


async def list_policies(session: AsyncSession) -> Sequence[EscalationPolicy]:
    return (await session.exec(select(EscalationPolicy).order_by(col(EscalationPolicy.id)))).all()


async def update_policy(session: AsyncSession, *, policy_id: int, data: EscalationPolicyUpdate) -> EscalationPolicy:
    """Change a policy; alerts already open keep the snapshot they took."""
    policy = await get_policy(session, policy_id=policy_id)
    if data.name is not None:
        clash = (
            await session.exec(
                select(col(EscalationPolicy.id)).where(
                    col(EscalationPolicy.name) == data.name, col(EscalationPolicy.id) != policy_id
                )
            )
        ).first()
        if clash is not None:
            raise Conflict(f"Esiste già una politica '{data.name}' / a policy with this name exists")
    changes = data.model_dump(exclude_unset=True)
    if "steps" in changes and data.steps is not None:
        changes["steps"] = [s.model_dump(mode="json") for s in data.steps]
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.updated_at = utcnow()
    session.add(policy)
    await session.flush()
    return policy


async def delete_policy(session: AsyncSession, *, policy_id: int) -> None:
    """Deactivate (alerts may still point to it)."""
    policy = await get_policy(session, policy_id=policy_id)
    policy.active = False
    policy.updated_at = utcnow()
    session.add(policy)


class PolicyLike(Protocol):
    """What choosing a policy and snapshotting it read: an ``EscalationPolicy`` or a row of its table."""

    id: int | None
    name: str
    severity: Severity | None
    source: AlertSource | None
    steps: list[dict[str, Any]]
    repeat_last: int
    ack_timeout_minutes: int


def _specificity(policy: PolicyLike, severity: Severity, source: AlertSource) -> int | None:
    if policy.source is not None and policy.source != source:
        return None
    if policy.severity is not None and policy.severity != severity:
        return None
    return (2 if policy.source is not None else 0) + (1 if policy.severity is not None else 0)


_P = EscalationPolicy.__table__  # type: ignore[attr-defined]
_ACTIVE_POLICIES = Fixed(core_select(_P).where(_P.c.active.is_(True)))


async def choose_policy(session: AsyncSession, *, severity: Severity, source: AlertSource) -> PolicyLike | None:
    """The active policy that matches most closely: source and severity, then source, then severity."""
    policies: Sequence[PolicyLike] = await _ACTIVE_POLICIES.all(session)
    scored = [(s, p) for p in policies if (s := _specificity(p, severity, source)) is not None]
    if not scored:
        return None
    return max(scored, key=lambda pair: (pair[0], -(pair[1].id or 0)))[1]


def snapshot(policy: PolicyLike) -> dict[str, Any]:
    """What the alert keeps: later edits to the policy do not change an open alert."""
    return {
        "policy_id": policy.id,
        "name": policy.name,
        "steps": list(policy.steps),
        "repeat_last": policy.repeat_last,
        "ack_timeout_minutes": policy.ack_timeout_minutes,
    }


def step_at(snap: dict[str, Any], index: int) -> PolicyStep | None:
    """Step ``index`` of the expanded schedule (the last step repeated), or None past the end."""
    steps = snap.get("steps") or []
    if not steps or index >= len(steps) + int(snap.get("repeat_last", 0)):
        return None
    return PolicyStep.model_validate(steps[min(index, len(steps) - 1)])


def due_time(snap: dict[str, Any], index: int, earliest: datetime) -> datetime | None:
    """When step ``index`` is due if it may not run before ``earliest`` (office hours respected)."""
    step = step_at(snap, index)
    if step is None:
        return None
    return next_office_time(earliest) if step.office_hours else earliest


def next_due_after(snap: dict[str, Any], index: int, ran_at: datetime) -> datetime | None:
    """When the step after ``index`` is due, given that step ``index`` ran at ``ran_at``."""
    step = step_at(snap, index)
    if step is None:
        return None
    return due_time(snap, index + 1, ran_at + timedelta(minutes=step.wait_minutes))
