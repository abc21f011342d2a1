"""The demo district at work: sentinels' reports through the real inbound path, one alert already closed,
and a few tasks late, so the board shows a morning's work when the demo starts. Seeding twice adds nothing
(each message has a fixed MessageSid, each task a ``demo:<n>`` key)."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover.demo import seed_demo_handover
from alerts.models import AlertOutcome
from alerts.service import close
from alerts.sms.flows import receive_sms
from alerts.sms.models import InboundSms
from centrale.demo import seed_demo_tasks
from centrale.events.service import commit
from centrale.operators.models import Operator

# MessageSid, sender, text as a sentinel (or a stranger) would type it
REPORTS = [
    ("SMdemo0000000000000000000000000001", "+393330000102", "A2 è sola e le serve la spesa, non riesce a scendere"),
    (
        "SMdemo0000000000000000000000000002",
        "+393330000101",
        "Il signore B3 non apre la porta da ieri sera e non risponde",
    ),
    ("SMdemo0000000000000000000000000003", "+393330000104", "La signora C4 è confusa, dice che ha finito i farmaci"),
    ("SMdemo0000000000000000000000000004", "+393330000106", "3C è caduto sulle scale, è a terra. Aiuto"),
    (
        "SMdemo0000000000000000000000000005",
        "+393471234567",
        "Buongiorno, mia madre abita in via di Decima 40, sta male",
    ),
]
#: the first report's alert is closed, so that the history is not empty
CLOSED = (REPORTS[0][0], AlertOutcome.RISOLTA_SUL_POSTO, "Spesa portata dalla vicina dell'interno 4")


async def seed_demo_activity(session: AsyncSession) -> dict[str, int]:
    """Reports, a closed alert, late tasks and the morning's handover (after ``seed_demo`` and the escalation
    policies); commits."""
    added = {"segnalazioni": 0, "attività": await seed_demo_tasks(session)}
    await commit(session)
    for sid, sender, body in REPORTS:
        if (await session.exec(select(col(InboundSms.id)).where(col(InboundSms.message_sid) == sid))).first():
            continue
        message = await receive_sms(
            session, params={"MessageSid": sid, "From": sender, "To": "+390600000000", "Body": body}, source="demo"
        )
        await commit(session)
        added["segnalazioni"] += 1
        if sid == CLOSED[0] and message.alert_id is not None:
            coordinator = (await session.exec(select(Operator).where(col(Operator.username) == "coordinatore"))).first()
            await close(
                session,
                alert_id=message.alert_id,
                by=coordinator.id if coordinator else None,
                outcome=CLOSED[1],
                note=CLOSED[2],
            )
            await commit(session)
    added["consegne"] = await seed_demo_handover(session)
    return added
