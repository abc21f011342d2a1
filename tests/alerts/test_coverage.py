"""The daily coverage check: a policy role that reaches nobody raises one alert a day for the administrator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.coverage import check_coverage, coverage_gaps
from alerts.escalation.models import EscalationPolicyCreate, PolicyRole, PolicyStep
from alerts.escalation.service import create_policy
from alerts.models import Alert, AlertSource, Channel
from alerts.sms.service import set_opt_out
from centrale.db import Database
from centrale.events.service import commit
from tests.alerts.escalation.helpers import district
from tests.centrale.rota.helpers import put_on_duty, take_off_duty

T0 = datetime(2026, 6, 3, 5, 0, tzinfo=UTC)  # 07:00 in Rome


async def _policy(session: AsyncSession) -> None:
    await create_policy(
        session,
        data=EscalationPolicyCreate(
            name="Copertura",
            steps=[
                PolicyStep(role=PolicyRole.TUTOR, channels=[Channel.SMS], wait_minutes=5),
                PolicyStep(role=PolicyRole.COORDINATORE_DI_TURNO, channels=[Channel.PERSONALE], wait_minutes=5),
                PolicyStep(role=PolicyRole.OPERATORE_PUA, channels=[Channel.SMS], wait_minutes=5),
            ],
        ),
    )
    await commit(session)


async def _alerts(session: AsyncSession) -> list[Alert]:
    return list((await session.exec(select(Alert).execution_options(populate_existing=True))).all())


async def test_nothing_raised_while_every_role_is_reachable(database: Database, session: AsyncSession) -> None:
    await district(session)
    await _policy(session)
    assert await coverage_gaps(session) == []
    assert await check_coverage(database, now=T0) is None
    assert await _alerts(session) == []


async def test_gaps_raise_one_alert_a_day_for_the_administrator(database: Database, session: AsyncSession) -> None:
    d = await district(session)
    await _policy(session)
    await take_off_duty(session, d.coordinatore)  # nobody on duty
    d.tutor.phone = None  # an SMS step to a tutor without a phone
    session.add(d.tutor)
    await set_opt_out(session, phone=d.pua.phone or "", opted_out=True, word="STOP")  # the PUA said STOP
    await commit(session)

    gaps = {(g.role, g.where) for g in await coverage_gaps(session)}
    assert gaps == {
        (PolicyRole.TUTOR, f"condominio {d.condominio.id}"),
        (PolicyRole.COORDINATORE_DI_TURNO, "distretto"),
        (PolicyRole.OPERATORE_PUA, "distretto"),
    }
    first = await check_coverage(database, now=T0)
    assert first is not None
    assert await check_coverage(database, now=T0 + timedelta(hours=10)) is None  # same day in Rome
    alerts = await _alerts(session)
    assert [(a.id, a.source, a.person_id) for a in alerts] == [(first, AlertSource.SISTEMA, None)]
    assert "COORDINATORE_DI_TURNO" in alerts[0].summary and "OPERATORE_PUA" in alerts[0].summary
    # the next day, still uncovered: one more
    assert await check_coverage(database, now=T0 + timedelta(days=1)) is not None
    assert len(await _alerts(session)) == 2
    # the coordinator on duty again closes that gap
    await put_on_duty(session, d.coordinatore)
    roles = {g.role for g in await coverage_gaps(session)}
    assert roles == {PolicyRole.TUTOR, PolicyRole.OPERATORE_PUA}
    assert (await session.exec(select(Alert).where(col(Alert.person_id).is_not(None)))).first() is None
