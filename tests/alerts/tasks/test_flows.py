"""Closing a late task resolves its overdue alert in the same transaction, on every surface, with no tick.

250 late tasks, each with its overdue alert open (raised by the monitoring code): a third closed through
the API, a third through the tutor's page, a third by "FATTO <code>" SMS; then every alert is resolved
and nothing is left for the escalation engine. A coordinatore may close a tutor's task by SMS too.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.engine import tick
from alerts.escalation.service import seed_default_policies
from alerts.models import Alert, AlertOutcome, AlertSource, AlertState, DeliveryState, Notification
from alerts.monitoring import raise_overdue_alerts
from centrale.clock import utcnow
from centrale.db import Database
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.settings import Settings
from centrale.tasks.models import ClosedVia, Task, TaskCreate, TaskState, TaskType
from centrale.tasks.service import create_task
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f
from tests.centrale.tasks.helpers import Team, team
from tests.integrations.conftest import ACCOUNT, PUBLIC, TOKEN, post_signed
from web.api.deps import COOKIE_NAME

SMS = "/integrations/twilio/sms"
LATE_TASKS = 250
_sids = itertools.count(1)


@pytest.fixture
def settings(database: Database) -> Settings:
    """Signed Twilio webhooks, as the SMS third of the tasks is closed through the real inbound route."""
    return Settings(
        environment="test",
        database_url=database.url,
        public_url=PUBLIC,
        scheduler_enabled=False,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
        twilio_from_number="+390699999999",
    )


@pytest.fixture
async def page_client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser: pages carry the session cookie, the API client does not (closed_via tells them apart)."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    # a browser sends its page's Origin with every form: here the public URL that Twilio signs as well
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers={"Origin": PUBLIC}) as c:
        yield c


def fatto(code: str, sender: str) -> dict[str, str]:
    return {
        "MessageSid": f"SM{next(_sids):032d}",
        "AccountSid": ACCOUNT,
        "From": sender,
        "To": "+390699999999",
        "Body": f"FATTO {code}",
        "NumMedia": "0",
    }


async def late_tasks_with_alerts(database: Database, session: AsyncSession, t: Team, count: int) -> list[Task]:
    """``count`` tasks whose window ended an hour ago, each with the overdue alert monitoring raised for it."""
    await seed_default_policies(session)
    await commit(session)
    start = utcnow() - timedelta(hours=3)
    tasks = []
    for i in range(count):
        task = await create_task(
            session,
            data=TaskCreate(
                person_id=t.person.id or 0,
                type=TaskType.TELEFONATA,
                assignee_id=t.tutor.id or 0,
                due_start=start + timedelta(seconds=i),
                due_end=start + timedelta(hours=2, seconds=i),
            ),
            created_by_id=t.coordinatore.id,
        )
        tasks.append(task)
    await commit(session)
    raised: list[int] = []
    while batch := await raise_overdue_alerts(database):
        raised += batch
    assert len(raised) == count
    async with database.sessionmaker() as s:
        rows = (await s.exec(select(Task).order_by(col(Task.id)))).all()
    assert all(x.overdue_alert_id is not None for x in rows)
    return list(rows)


async def _alerts(database: Database) -> list[Alert]:
    async with database.sessionmaker() as s:
        rows = await s.exec(select(Alert).where(col(Alert.source) == AlertSource.ATTIVITA_SCADUTA))
        return list(rows.all())


async def test_every_surface_resolves_the_overdue_alert_at_once(
    database: Database, session: AsyncSession, client: httpx.AsyncClient, page_client: httpx.AsyncClient
):
    t = await team(session)
    tasks = await late_tasks_with_alerts(database, session, t, LATE_TASKS)
    assert {a.state for a in await _alerts(database)} == {AlertState.NUOVA}
    token = await f.token_for(session, t.tutor)
    page_client.cookies.set(COOKIE_NAME, token)
    third = len(tasks) // 3
    by_api, by_page, by_sms = tasks[:third], tasks[third : 2 * third], tasks[2 * third :]
    for task in by_api:
        r = await client.post(f"/api/v1/tasks/{task.id}/close", json={"note": "sentita"}, headers=f.bearer(token))
        assert r.status_code == 200, r.text
    for task in by_page:
        r = await page_client.post(f"/attivita/{task.id}/fatto", data={"note": "passata"})
        assert (r.status_code, r.headers.get("location")) == (303, "/attivita"), r.text[:2000]
    for task in by_sms:
        r = await post_signed(client, SMS, fatto(task.code, t.tutor.phone or ""))
        assert r.status_code == 200 and f"Attività {task.code} chiusa" in r.text, r.text
    # no monitoring tick, no escalation tick in between: the alerts are resolved already
    alerts = await _alerts(database)
    assert len(alerts) == LATE_TASKS
    assert [a for a in alerts if a.state != AlertState.RISOLTA] == []
    assert {(a.outcome, a.next_step_at) for a in alerts} == {(AlertOutcome.RISOLTA_SUL_POSTO, None)}
    async with database.sessionmaker() as s:
        closed = (await s.exec(select(Task).order_by(col(Task.id)))).all()
        resolved_events = (
            await s.exec(select(func.count()).select_from(Event).where(col(Event.kind) == "alert.resolved"))
        ).one()
        pending = (
            await s.exec(
                select(func.count())
                .select_from(Notification)
                .where(col(Notification.state) == DeliveryState.IN_ATTESA, col(Notification.step_index) >= 0)
            )
        ).one()
    assert [x.closed_via for x in closed] == (
        [ClosedVia.API] * len(by_api) + [ClosedVia.PAGINA] * len(by_page) + [ClosedVia.SMS] * len(by_sms)
    )
    assert {(x.state, x.closed_by_id) for x in closed} == {(TaskState.SVOLTA, t.tutor.id)}
    assert resolved_events == LATE_TASKS  # the board hears of each one
    assert pending == 0
    # and the escalation engine finds nothing left to chase
    assert (await tick(database, sender=ConsoleSmsSender(), instance="t")).steps_run == 0


async def test_a_coordinatore_closes_a_tutors_late_task_by_sms(
    database: Database, session: AsyncSession, client: httpx.AsyncClient
):
    t = await team(session)
    (task,) = await late_tasks_with_alerts(database, session, t, 1)
    r = await post_signed(client, SMS, fatto(task.code.lower(), t.coordinatore.phone or ""))
    assert r.status_code == 200 and f"Attività {task.code} chiusa" in r.text, r.text
    async with database.sessionmaker() as s:
        closed = await s.get(Task, task.id)
        alert = await s.get(Alert, task.overdue_alert_id)
    assert closed is not None and alert is not None
    assert (closed.state, closed.closed_by_id, closed.closed_via) == (
        TaskState.SVOLTA,
        t.coordinatore.id,
        ClosedVia.SMS,
    )
    assert (alert.state, alert.resolved_at is not None) == (AlertState.RISOLTA, True)
