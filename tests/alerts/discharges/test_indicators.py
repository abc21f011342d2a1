"""The indicators on a seeded set of 20 transitions, their figures worked out by hand below."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.indicators import IndicatorRow, indicators
from alerts.discharges.models import MILESTONES, Discharge, DischargeMilestone, DischargeSource, DischargeState
from alerts.discharges.models import Milestone as M
from centrale.cases.models import Case, CaseCategory, CasePhase, CaseState, SiussArea
from centrale.clock import ROME, as_utc
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f

# municipio, hospital, notice day, announced discharge day, plan approved day, discharged day,
# first visit hours after the discharge (all in March 2026; notices at 10:00, plans at 12:00,
# discharges at 11:00, Rome time; None: not happened)
SEED = [
    # week of Monday 2 March
    ("IX", "A", 2, 6, 5, 6, 24),  # 1: plan in 3 days, ready, visit on time
    ("IX", "A", 2, 6, 8, 9, 50),  # 2: 6 days, ready, 2 days waiting for the plan, visit late
    ("IX", "B", 3, 7, 6, 7, None),  # 3: 3 days, ready, no visit
    ("XI", "A", 3, 8, None, 8, 10),  # 4: no plan, discharged anyway, visit on time
    ("XI", "B", 4, 9, 9, 9, 40),  # 5: 5 days, the plan at noon after the 11:00 discharge: not ready
    ("XI", "B", 5, 10, 12, 13, 47),  # 6: 7 days, ready, 2 days waiting, visit on time
    ("IX", "A", 5, 11, 10, None, None),  # 7: 5 days, still in hospital
    ("IX", "B", 6, 12, None, None, None),  # 8: nothing yet
    ("XI", "A", 6, 12, 11, 12, None),  # 9: 5 days, ready, no visit
    # week of Monday 9 March
    ("IX", "A", 9, 13, 12, 13, 20),  # 10: 3 days, ready, on time
    ("IX", "A", 9, 13, 16, 16, 30),  # 11: 7 days, not ready (noon after 11:00), 3 days waiting, on time
    ("IX", "B", 10, 14, 13, 14, 72),  # 12: 3 days, ready, late
    ("XI", "A", 10, 15, 14, 15, 48),  # 13: 4 days, ready, exactly 48 h: on time
    ("XI", "B", 11, 16, 18, 20, None),  # 14: 7 days, ready, 2 days waiting; its 48 h not over yet
    ("XI", "B", 11, 17, None, None, None),  # 15: nothing yet
    ("IX", "A", 12, 18, 17, 18, 5),  # 16: 5 days, ready, on time
    ("XI", "A", 12, 19, 20, 19, None),  # 17: 8 days, went home before the plan: not ready, no visit
    ("IX", "B", 13, 20, 19, None, None),  # 18: 6 days, still in hospital
]
CANCELLED = ("IX", "A", 4, 8, 7, 8, 24)  # left out: cancelled
OUTSIDE = ("IX", "A", 16, 20, None, None, None)  # left out: notified after the period
NOW = datetime(2026, 3, 21, 12, 0, tzinfo=ROME)  # discharge 14's 48 h end on the 22nd


def at(day: int, hour: int) -> datetime:
    return as_utc(datetime(2026, 3, day, hour, 0, tzinfo=ROME))


@pytest.fixture
async def seeded(session: AsyncSession) -> None:
    registering = await f.org(session, OrgKind.MUNICIPIO)
    manager = await f.operator(session, Role.CASE_MANAGER, registering)
    hospitals = {
        "A": await f.org(session, OrgKind.OSPEDALE, name="Ospedale Alfa"),
        "B": await f.org(session, OrgKind.OSPEDALE, name="Ospedale Beta"),
    }
    for index, row in enumerate([*SEED, CANCELLED, OUTSIDE]):
        municipio, hospital, notice, expected, plan, left, visit = row
        person = await f.person(session, registering, municipio=municipio)
        case = Case(
            person_id=person.id or 0,
            state=CaseState.APERTO,
            phase=CasePhase.VALUTAZIONE,
            category=CaseCategory.ANZIANI,
            siuss_area=SiussArea.DISABILITA_NON_AUTOSUFFICIENZA,
            case_manager_id=manager.id or 0,
            organisation_id=registering.id or 0,
        )
        session.add(case)
        await session.flush()
        discharge = Discharge(
            person_id=person.id or 0,
            case_id=case.id or 0,
            hospital_org_id=hospitals[hospital].id or 0,
            ward="Medicina",
            expected_date=date(2026, 3, expected) + timedelta(days=1),  # moved since: the first date counts
            first_expected_date=date(2026, 3, expected),
            hospital_contact="Reparto",
            state=DischargeState.ANNULLATA if row == CANCELLED else DischargeState.IN_CORSO,
            source=DischargeSource.PAGINA,
            notified_at=at(notice, 10),
        )
        session.add(discharge)
        await session.flush()
        done = {M.NOTIFICA: at(notice, 10)}
        if plan is not None:
            done[M.PIANO_APPROVATO] = at(plan, 12)
        if left is not None:
            done[M.DIMISSIONE] = at(left, 11)
            if visit is not None:
                done[M.PRIMA_VISITA] = at(left, 11) + timedelta(hours=visit)
        for position, milestone in enumerate(MILESTONES):
            session.add(
                DischargeMilestone(
                    discharge_id=discharge.id or 0,
                    milestone=milestone,
                    position=position,
                    due_at=at(notice, 18),
                    done_at=done.get(milestone),
                )
            )
        assert index < 20
    await commit(session)


def figures(row: IndicatorRow) -> tuple[object, ...]:
    return (
        row.group,
        row.transitions,
        row.days_notice_to_plan,
        row.plan_ready_share,
        row.delayed_days,
        row.first_visit_48h_share,
    )


async def test_the_indicators_are_right_on_twenty_transitions(session: AsyncSession, seeded: None):
    found = await indicators(session, start=date(2026, 3, 2), end=date(2026, 3, 15), now=as_utc(NOW))
    # group, transitions, mean days notice->plan, plan ready on the day, days of delayed discharge, visits in 48 h
    assert figures(found.overall) == ("", 18, 5.1, pytest.approx(10 / 14), 9, pytest.approx(8 / 13))
    assert [figures(r) for r in found.by_municipio] == [
        ("IX", 10, 4.6, pytest.approx(6 / 7), 5, pytest.approx(4 / 7)),
        ("XI", 8, 6.0, pytest.approx(4 / 7), 4, pytest.approx(4 / 6)),
    ]
    assert [figures(r) for r in found.by_hospital] == [
        ("Ospedale Alfa", 10, 5.1, pytest.approx(6 / 9), 5, pytest.approx(6 / 9)),
        ("Ospedale Beta", 8, 5.2, pytest.approx(4 / 5), 4, pytest.approx(2 / 4)),
    ]
    assert [figures(r) for r in found.weekly] == [
        ("2026-03-02", 9, 4.9, pytest.approx(5 / 7), 4, pytest.approx(4 / 7)),
        ("2026-03-09", 9, 5.4, pytest.approx(5 / 7), 5, pytest.approx(4 / 6)),
    ]


async def test_a_period_with_nothing_measured_says_so(session: AsyncSession, seeded: None):
    found = await indicators(session, start=date(2026, 1, 1), end=date(2026, 1, 31), now=as_utc(NOW))
    assert figures(found.overall) == ("", 0, None, None, 0, None)
    assert found.by_municipio == found.by_hospital == found.weekly == []
