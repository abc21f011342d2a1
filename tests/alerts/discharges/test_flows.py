"""A notice becomes a tracked transition: the person, the case, the deadlines; the date moves them; cancelling."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import flows, service
from alerts.discharges.models import Discharge, DischargeState, Milestone
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.cases.models import CareTeamMember, Case, CaseState
from centrale.clock import ROME, as_utc
from centrale.db import Database
from centrale.errors import Conflict, Invalid, Refused
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from centrale.uow import Tx
from tests import factories as f
from tests.alerts.discharges.helpers import actor, notice, notify_as, ward

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=ROME)  # a Tuesday: the notice arrives
DISCHARGE_DAY = date(2026, 3, 9)  # the Monday after


def rome(day: int, hour: int, month: int = 3) -> datetime:
    return as_utc(datetime(2026, month, day, hour, 0, tzinfo=ROME))


EXPECTED_DEADLINES = {
    Milestone.NOTIFICA: rome(3, 10),
    Milestone.UVM_PRENOTATA: rome(4, 18),  # the next working day, end of office
    Milestone.UVM_SVOLTA: rome(7, 18),  # two days before the discharge
    Milestone.PIANO_APPROVATO: rome(8, 18),  # the day before
    Milestone.DIMISSIONE: rome(9, 18),
    Milestone.PRIMA_VISITA: rome(11, 12),  # 48 h after a discharge at noon
    Milestone.TELEFONATA_CONTROLLO: rome(16, 18),  # day 7
}


async def _deadlines(database: Database, discharge_id: int) -> dict[Milestone, datetime]:
    async with database.sessionmaker() as s:
        return {m.milestone: as_utc(m.due_at) for m in await service.milestones_of(s, discharge_id)}


async def test_a_notice_registers_the_person_opens_a_case_and_sets_every_deadline(
    database: Database, session: AsyncSession
):
    w = await ward(session)
    pua = await actor(session, w.pua)
    cf = f.valid_cf()
    with time_machine.travel(T0, tick=False):
        done = await notify_as(database, pua, notice(w, cf=cf, expected=DISCHARGE_DAY))
    assert done.created and done.person_created and done.case_opened
    assert await _deadlines(database, done.discharge.id or 0) == EXPECTED_DEADLINES
    async with database.sessionmaker() as s:
        person = (await s.exec(select(Person).where(col(Person.codice_fiscale) == cf))).one()
        case = await s.get(Case, done.discharge.case_id)
        team = (await s.exec(select(CareTeamMember).where(col(CareTeamMember.case_id) == case.id))).all()
    assert (person.cognome, person.registered_by_org_id) == ("Rossi", w.asl.id)
    assert case.person_id == person.id and case.case_manager_id == w.case_manager.id
    assert {(m.organisation_id, m.operator_id) for m in team} == {
        (w.municipio.id, w.case_manager.id),
        (w.asl.id, None),  # the receiving PUA, so that it sees the case it must follow
    }


async def test_a_second_notice_reuses_the_persons_open_case(database: Database, session: AsyncSession):
    w = await ward(session)
    pua = await actor(session, w.pua)
    cf = f.valid_cf()
    with time_machine.travel(T0, tick=False):
        first = await notify_as(database, pua, notice(w, cf=cf, expected=DISCHARGE_DAY, ref="R-1"))
        second = await notify_as(database, pua, notice(w, cf=cf.lower(), expected=DISCHARGE_DAY, ref="R-2"))
    assert second.created and not second.case_opened and not second.person_created
    assert second.discharge.case_id == first.discharge.case_id
    async with database.sessionmaker() as s:
        assert len((await s.exec(select(Case))).all()) == 1


async def test_moving_the_discharge_date_by_two_days_moves_every_later_deadline(
    database: Database, session: AsyncSession
):
    w = await ward(session)
    pua = await actor(session, w.pua)
    with time_machine.travel(T0, tick=False):
        done = await notify_as(database, pua, notice(w, cf=f.valid_cf(), expected=DISCHARGE_DAY))
        async with Tx.open(database, actor=pua) as tx:
            moved = await flows.move_date(tx, discharge_id=done.discharge.id or 0, expected_date=date(2026, 3, 11))
            await tx.commit()
    after = await _deadlines(database, done.discharge.id or 0)
    follow = [Milestone.UVM_SVOLTA, Milestone.PIANO_APPROVATO, Milestone.DIMISSIONE, Milestone.PRIMA_VISITA]
    follow.append(Milestone.TELEFONATA_CONTROLLO)
    assert sorted(m.milestone for m in moved) == sorted(follow)
    assert {m: after[m] - EXPECTED_DEADLINES[m] for m in follow} == {m: timedelta(days=2) for m in follow}
    # the booking follows the notice, not the date
    assert after[Milestone.UVM_PRENOTATA] == EXPECTED_DEADLINES[Milestone.UVM_PRENOTATA]


async def test_the_real_discharge_sets_the_first_visit_and_the_call_and_the_last_milestone_completes(
    database: Database, session: AsyncSession
):
    w = await ward(session)
    pua, manager = await actor(session, w.pua), await actor(session, w.case_manager)
    with time_machine.travel(T0, tick=False) as clock:
        done = await notify_as(database, pua, notice(w, cf=f.valid_cf(), expected=DISCHARGE_DAY))
        ident = done.discharge.id or 0
        for milestone, day in [
            (Milestone.UVM_PRENOTATA, 3),
            (Milestone.UVM_SVOLTA, 5),
            (Milestone.PIANO_APPROVATO, 6),
            (Milestone.DIMISSIONE, 7),  # left two days early, at 10:00
        ]:
            clock.move_to(datetime(2026, 3, day, 10, 0, tzinfo=ROME))
            async with Tx.open(database, actor=manager) as tx:
                await flows.complete_milestone(tx, discharge_id=ident, milestone=milestone)
                await tx.commit()
        after = await _deadlines(database, ident)
        assert after[Milestone.PRIMA_VISITA] == rome(9, 10)  # 48 h after the real discharge
        assert after[Milestone.TELEFONATA_CONTROLLO] == rome(14, 18)
        async with Tx.open(database, actor=manager) as tx:
            with pytest.raises(Conflict):
                await flows.complete_milestone(tx, discharge_id=ident, milestone=Milestone.DIMISSIONE)
        for milestone in (Milestone.PRIMA_VISITA, Milestone.TELEFONATA_CONTROLLO):
            async with Tx.open(database, actor=manager) as tx:
                await flows.complete_milestone(tx, discharge_id=ident, milestone=milestone)
                await tx.commit()
    async with database.sessionmaker() as s:
        row = await s.get(Discharge, ident)
        assert row is not None and row.state == DischargeState.COMPLETATA
        assert as_utc(row.discharged_at) == rome(7, 10)
        case = await s.get(Case, row.case_id)
        assert case is not None and case.state == CaseState.APERTO  # the case goes on: only the transition ended


async def test_bad_notices_name_their_field(database: Database, session: AsyncSession):
    w = await ward(session)
    pua = await actor(session, w.pua)
    cases = [
        (notice(w, cf="RSSMRA38E41H501X", expected=DISCHARGE_DAY), "codice_fiscale"),
        (notice(w, cf=f.valid_cf(), expected=date(2027, 6, 1)), "expected_date"),
        (notice(w, cf=f.valid_cf(), expected=DISCHARGE_DAY, cognome=None), "cognome"),
        (notice(w, cf=f.valid_cf(), expected=DISCHARGE_DAY, hospital_org_id=999_999), "hospital_org_id"),
    ]
    with time_machine.travel(T0, tick=False):
        for data, field in cases:
            with pytest.raises(Invalid) as err:
                await notify_as(database, pua, data)
            assert err.value.field == field
    async with database.sessionmaker() as s:
        assert (await s.exec(select(Discharge))).all() == []


async def test_cancelling_closes_the_transition(database: Database, session: AsyncSession):
    w = await ward(session)
    pua = await actor(session, w.pua)
    with time_machine.travel(T0, tick=False):
        done = await notify_as(database, pua, notice(w, cf=f.valid_cf(), expected=DISCHARGE_DAY))
        async with Tx.open(database, actor=pua) as tx:
            with pytest.raises(Invalid):
                await flows.cancel(tx, discharge_id=done.discharge.id or 0, reason=" ")
        async with Tx.open(database, actor=pua) as tx:
            await flows.cancel(tx, discharge_id=done.discharge.id or 0, reason="Trasferita in RSA")
            await tx.commit()
    async with database.sessionmaker() as s:
        row = await s.get(Discharge, done.discharge.id)
        assert row is not None and row.state == DischargeState.ANNULLATA


async def test_reading_a_transition_is_audited_and_refused_without_need_to_know(
    database: Database, session: AsyncSession
):
    w = await ward(session, policies=False)
    pua = await actor(session, w.pua)
    stranger_org = await f.org(session, OrgKind.MUNICIPIO, municipio="VII")
    stranger = await actor(session, await f.operator(session, Role.CASE_MANAGER, stranger_org))
    with time_machine.travel(T0, tick=False):
        done = await notify_as(database, pua, notice(w, cf=f.valid_cf(), expected=DISCHARGE_DAY))
    ident = done.discharge.id or 0
    async with Tx.open(database, actor=stranger) as tx:
        with pytest.raises(Refused):
            await flows.discharge_for(tx, ident)
    async with Tx.open(database, actor=pua) as tx:
        assert (await flows.discharge_for(tx, ident)).id == ident
    async with database.sessionmaker() as s:
        rows = (await s.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "discharge.read"))).all()
    assert sorted((r.agent_operator_id, r.outcome) for r in rows) == sorted(
        [(stranger.operator_id, AuditOutcome.DENIED), (pua.operator_id, AuditOutcome.SUCCESS)]
    )
    assert all(r.person_id == done.discharge.person_id for r in rows)
