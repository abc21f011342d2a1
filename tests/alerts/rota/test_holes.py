"""The coverage check over the week ahead: a role a policy needs with nobody reachable, hour by hour."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.coverage import check_coverage
from alerts.escalation.models import EscalationPolicyCreate, PolicyRole, PolicyStep
from alerts.escalation.service import create_policy
from alerts.models import Alert, Channel
from alerts.rota.holes import Hole, week_holes
from centrale.db import Database
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests.alerts.rota.helpers import layer, operators, rome
from tests.centrale.rota.helpers import put_on_duty

NOW = rome(2026, 12, 7, 7)  # Monday 7 December, 07:00 in Rome


async def _pua_week_with_a_hole(session: AsyncSession) -> None:
    """Mornings, afternoons and nights covered every day, except Wednesday 9 December from 14:00 to 17:00."""
    _, (a, b, c) = await operators(session, Role.OPERATORE_PUA, OrgKind.ASL_PUA, 3)
    await layer(session, Role.OPERATORE_PUA, [a], ["08:00"], ends_at="14:00")
    await layer(session, Role.OPERATORE_PUA, [b], ["14:00"], ends_at="20:00", weekdays=[0, 1, 3, 4, 5, 6])
    await layer(session, Role.OPERATORE_PUA, [b], ["17:00"], ends_at="20:00", weekdays=[2])
    await layer(session, Role.OPERATORE_PUA, [c], ["20:00"], ends_at="08:00")
    await create_policy(
        session,
        data=EscalationPolicyCreate(
            name="PUA", steps=[PolicyStep(role=PolicyRole.OPERATORE_PUA, channels=[Channel.SMS], wait_minutes=5)]
        ),
    )
    await commit(session)


async def test_a_week_with_a_3_hour_hole_for_the_pua_role_the_coverage_check_reports_exactly_that_hole(
    database: Database, session: AsyncSession
) -> None:
    await _pua_week_with_a_hole(session)
    _, (coordinator,) = await operators(session, Role.COORDINATORE, OrgKind.CENTRALE, 1)
    await put_on_duty(session, coordinator)

    holes = await week_holes(session, start=NOW)
    assert holes == [Hole(Role.OPERATORE_PUA, rome(2026, 12, 9, 14), rome(2026, 12, 9, 17))]
    assert holes[0].words == "OPERATORE PUA scoperto mercoledì 9 dicembre dalle 14:00 alle 17:00"

    alert_id = await check_coverage(database, now=NOW)
    assert alert_id is not None
    alert = await session.get(Alert, alert_id)
    assert alert is not None and alert.person_id is None
    assert "OPERATORE PUA scoperto mercoledì 9 dicembre dalle 14:00 alle 17:00" in alert.summary
    told = (await session.exec(select(Event).where(col(Event.kind) == "rota.coverage"))).all()
    assert [(e.recipient_operator_id, holes[0].words in e.payload["text"]) for e in told] == [(coordinator.id, True)]


async def test_an_on_duty_operator_nobody_can_reach_is_a_hole_too(database: Database, session: AsyncSession) -> None:
    await _pua_week_with_a_hole(session)
    _, (night,) = await operators(session, Role.OPERATORE_PUA, OrgKind.ASL_PUA, 1)
    night.phone = None  # no phone, no browser: nobody can reach them
    session.add(night)
    await commit(session)
    await layer(session, Role.OPERATORE_PUA, [night], ["14:00"], ends_at="17:00", weekdays=[2])
    assert await week_holes(session, start=NOW) == [
        Hole(Role.OPERATORE_PUA, rome(2026, 12, 9, 14), rome(2026, 12, 9, 17))
    ]


async def test_a_full_week_has_no_hole_and_a_role_no_policy_needs_is_not_checked(session: AsyncSession) -> None:
    _, (a,) = await operators(session, Role.OPERATORE_PUA, OrgKind.ASL_PUA, 1)
    await layer(session, Role.OPERATORE_PUA, [a], ["08:00"], ends_at="14:00")  # half of each day
    assert await week_holes(session, start=NOW) == []  # no policy names the PUA
    await create_policy(
        session,
        data=EscalationPolicyCreate(
            name="PUA", steps=[PolicyStep(role=PolicyRole.OPERATORE_PUA, channels=[Channel.SMS], wait_minutes=5)]
        ),
    )
    await layer(session, Role.OPERATORE_PUA, [a], ["14:00"])  # and from 14:00 to 08:00
    assert await week_holes(session, start=NOW) == []
