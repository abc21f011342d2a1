"""The sentinel hears once that their report was taken in charge, also when the ack comes by SMS."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.delivery import deliver_pending_sms
from alerts.models import DeliveryState, Notification
from alerts.service import close
from alerts.sms.feedback import FEEDBACK_STEP, send_feedback_sms
from alerts.sms.flows import receive_sms
from alerts.sms.service import set_opt_out
from centrale.db import Database
from centrale.events.service import commit
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f
from tests.alerts.escalation.helpers import district
from tests.alerts.sms.test_triage import sms

SENTINEL = "+393330000888"


async def _feedback(session: AsyncSession, alert_id: int) -> list[Notification]:
    rows = await session.exec(
        select(Notification)
        .where(col(Notification.alert_id) == alert_id, col(Notification.step_index) == FEEDBACK_STEP)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def test_ok_by_sms_tells_the_sentinel_even_if_resolved_before_sending(
    database: Database, session: AsyncSession
) -> None:
    d = await district(session)
    await f.sentinel(session, d.condominio, phone=SENTINEL)
    report = await receive_sms(session, params=sms("la signora è caduta", SENTINEL))
    await commit(session)
    assert report.alert_id is not None
    # the coordinator answers "OK <n>" from their phone
    ack = await receive_sms(session, params=sms(f"OK {report.alert_id}", d.coordinatore.phone or ""))
    await commit(session)
    assert ack.reply is not None and "Presa visione" in ack.reply
    # resolved before the job ran: the courtesy SMS still goes, and escalation delivery leaves it alone
    await close(session, alert_id=report.alert_id, by=d.coordinatore.id, outcome=None, note=None)
    await commit(session)
    console = ConsoleSmsSender(database=database)
    await deliver_pending_sms(database, sender=console)
    assert console.sent == []
    assert await send_feedback_sms(database, sender=console) == {"inviata": 1}
    assert [m.body for m in console.sent] == [
        f"La segnalazione {report.receipt_code} è stata presa in carico dalla Centrale. Grazie."
    ]
    assert await send_feedback_sms(database, sender=console) == {}
    assert [n.state for n in await _feedback(session, report.alert_id)] == [DeliveryState.INVIATA]


async def test_a_sentinel_who_opted_out_is_not_told(database: Database, session: AsyncSession) -> None:
    d = await district(session)
    await f.sentinel(session, d.condominio, phone=SENTINEL)
    report = await receive_sms(session, params=sms("aiuto", SENTINEL))
    await set_opt_out(session, phone=SENTINEL, opted_out=True, word="STOP")
    await commit(session)
    assert report.alert_id is not None
    await receive_sms(session, params=sms(f"OK {report.alert_id}", d.coordinatore.phone or ""))
    await commit(session)
    console = ConsoleSmsSender(database=database)
    await send_feedback_sms(database, sender=console)
    assert console.sent == [] and await _feedback(session, report.alert_id) == []
