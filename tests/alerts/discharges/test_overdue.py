"""A milestone past its deadline raises one alert that escalates by role: PUA, case manager, coordinatore di turno."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import flows
from alerts.discharges.jobs import raise_overdue
from alerts.discharges.models import DischargeMilestone, Milestone
from alerts.discharges.reads import lane, overdue
from alerts.escalation.engine import tick
from alerts.models import Alert, AlertSource, AlertState, Channel, Notification
from centrale.clock import ROME
from centrale.db import Database
from centrale.uow import Tx
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f
from tests.alerts.discharges.helpers import actor, notice, notify_as, ward
from tests.alerts.discharges.test_flows import DISCHARGE_DAY, T0

UVM_BOOKING_DEADLINE = datetime(2026, 3, 4, 18, 0, tzinfo=ROME)  # the working day after the notice


async def _steps(database: Database, alert_id: int) -> list[tuple[int, Channel, int | None]]:
    async with database.sessionmaker() as s:
        rows = await s.exec(
            select(Notification).where(col(Notification.alert_id) == alert_id).order_by(col(Notification.id))
        )
        return [(n.step_index, n.channel, n.recipient_operator_id) for n in rows.all()]


async def test_a_uvm_not_booked_by_its_deadline_raises_an_alert_that_escalates_to_pua_then_coordinator(
    database: Database, session: AsyncSession
):
    w = await ward(session)
    pua = await actor(session, w.pua)
    sms = ConsoleSmsSender()
    with time_machine.travel(T0, tick=False) as clock:
        done = await notify_as(database, pua, notice(w, cf=f.valid_cf(), expected=DISCHARGE_DAY))
        clock.move_to(UVM_BOOKING_DEADLINE - timedelta(seconds=1))
        assert await raise_overdue(database) == []
        assert await overdue(session, actor=pua) == []
        clock.move_to(UVM_BOOKING_DEADLINE)
        [alert_id] = await raise_overdue(database)
        assert await raise_overdue(database) == []  # once per milestone
        late = await overdue(session, actor=pua)
        assert [(o.milestone, o.alert_id) for o in late] == [(Milestone.UVM_PRENOTATA, alert_id)]
        [item] = await lane(session, actor=pua)
        assert item.overdue == [Milestone.UVM_PRENOTATA] and item.days_to_discharge == 5
        await tick(database, sender=sms, instance="test")
        assert await _steps(database, alert_id) == [(0, Channel.BACHECA, None), (0, Channel.PERSONALE, w.pua.id)]
        clock.move_to(UVM_BOOKING_DEADLINE + timedelta(minutes=60))
        await tick(database, sender=sms, instance="test")
        clock.move_to(UVM_BOOKING_DEADLINE + timedelta(minutes=120))
        await tick(database, sender=sms, instance="test")
    assert (await _steps(database, alert_id))[2:] == [
        (1, Channel.PERSONALE, w.case_manager.id),
        (2, Channel.PERSONALE, w.coordinatore.id),
        (2, Channel.SMS, w.coordinatore.id),
    ]
    assert [m.to for m in sms.sent] == [w.coordinatore.phone]
    assert f.valid_cf() not in sms.sent[0].body and "UVM" not in sms.sent[0].body  # no health data by SMS
    async with database.sessionmaker() as s:
        alert = await s.get(Alert, alert_id)
        assert alert is not None and alert.source == AlertSource.DIMISSIONE_PROTETTA
        assert alert.person_id == done.discharge.person_id and alert.case_id == done.discharge.case_id


async def test_booking_the_uvm_late_resolves_its_alert_and_a_later_date_withdraws_one_no_longer_due(
    database: Database, session: AsyncSession
):
    w = await ward(session)
    pua = await actor(session, w.pua)
    with time_machine.travel(T0, tick=False) as clock:
        done = await notify_as(database, pua, notice(w, cf=f.valid_cf(), expected=DISCHARGE_DAY))
        ident = done.discharge.id or 0
        clock.move_to(datetime(2026, 3, 7, 18, 0, tzinfo=ROME))  # the UVM neither booked nor done
        booking, assessment = await raise_overdue(database)
        async with Tx.open(database, actor=pua) as tx:
            await flows.complete_milestone(tx, discharge_id=ident, milestone=Milestone.UVM_PRENOTATA)
            await flows.move_date(tx, discharge_id=ident, expected_date=DISCHARGE_DAY + timedelta(days=7))
            await tx.commit()
    async with database.sessionmaker() as s:
        states = {a.id: a.state for a in (await s.exec(select(Alert))).all()}
        rows = (await s.exec(select(DischargeMilestone).where(col(DischargeMilestone.discharge_id) == ident))).all()
    assert states == {booking: AlertState.RISOLTA, assessment: AlertState.ANNULLATA}
    assert {m.milestone: m.overdue_alert_id for m in rows if m.overdue_alert_id} == {Milestone.UVM_PRENOTATA: booking}
