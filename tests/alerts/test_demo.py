"""The demo shows itself: after seeding, the board has open alerts with a sentinel's words, the history a
closed one, the tutors late tasks, the coordinator the morning's handover; seeding again adds nothing."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.demo import seed_demo_activity
from alerts.escalation.service import seed_default_policies
from alerts.models import OPEN_STATES, Alert, AlertOutcome, AlertState
from alerts.sms.models import InboundSms
from centrale.clock import utcnow
from centrale.demo import seed_demo
from centrale.events.service import commit
from centrale.persons.models import Person
from centrale.tasks.models import Task, TaskState


async def test_the_demo_starts_with_open_alerts_a_closed_one_and_late_tasks(session: AsyncSession) -> None:
    await seed_demo(session)
    await seed_default_policies(session)
    await commit(session)
    added = await seed_demo_activity(session)
    assert added == {"segnalazioni": 5, "attività": 4, "consegne": 1}
    alerts = list((await session.exec(select(Alert))).all())
    open_ = [a for a in alerts if a.state in OPEN_STATES]
    assert len(open_) >= 3 and all(a.policy_snapshot for a in open_)  # they escalate like any other
    persons = {p.id: p.cognome for p in (await session.exec(select(Person))).all()}
    assert {"Rossi", "Marini", "Moretti"} <= {persons.get(a.person_id or 0) for a in open_}
    [closed] = [a for a in alerts if a.state == AlertState.RISOLTA]
    assert closed.outcome == AlertOutcome.RISOLTA_SUL_POSTO
    [rossi] = [a for a in open_ if persons.get(a.person_id or 0) == "Rossi"]
    words = (await session.exec(select(col(InboundSms.body)).where(col(InboundSms.alert_id) == rossi.id))).all()
    assert words == ["Il signore B3 non apre la porta da ieri sera e non risponde"]
    late = (
        await session.exec(select(Task).where(col(Task.state) == TaskState.APERTA, col(Task.due_end) < utcnow()))
    ).all()
    assert len(late) == 2
    assert await seed_demo_activity(session) == {"segnalazioni": 0, "attività": 0, "consegne": 0}
    assert len((await session.exec(select(Alert))).all()) == len(alerts)
