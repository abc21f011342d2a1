"""A push subscription receives a new task's notice; a 410 from the push service removes the subscription.

The push service is a local fake standing where a browser vendor's is; the test plays the browser and
decrypts the payload with the subscription's keys, so what it checks is what a lock screen would show.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from py_vapid import Vapid02
from sqlmodel import col, select

from alerts.push.flows import subscribe
from alerts.push.models import PushSubscription
from alerts.push.service import has_subscription
from centrale.audit.models import AuditEvent
from centrale.auth.actor import actor_of
from centrale.clock import to_rome, utcnow
from centrale.db import Database
from centrale.settings import Settings
from centrale.tasks.models import Task
from centrale.uow import Tx
from integrations.webpush import keys
from tests import factories as f
from tests.alerts.push.fake_push import Browser, FakePushService, fake_push_service
from tests.alerts.push.helpers import Crew, crew, new_task
from web.app import create_app


@pytest.fixture
async def push() -> AsyncIterator[FakePushService]:
    async with fake_push_service() as service:
        yield service


@pytest.fixture
async def push_client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The app with real web push (VAPID keys of its own) in front of the fake push service."""
    settings = Settings(
        environment="test",
        database_url=database.url,
        public_url="http://testserver",
        scheduler_enabled=False,
        push_backend="webpush",
        vapid_private_key=keys.generate().private_key,
        vapid_subject="mailto:centrale@example.org",
    )
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def _subscribe(database: Database, c: Crew, browser: Browser, endpoint: str) -> None:
    async with database.sessionmaker() as session:
        actor = await actor_of(session, c.tutor.id or 0)
    async with Tx.open(database, actor=actor) as tx:
        await subscribe(tx, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth)
        await tx.commit()


async def test_a_new_task_reaches_the_tutors_browser_and_a_gone_subscription_is_removed(
    database: Database, push: FakePushService, push_client: httpx.AsyncClient
) -> None:
    async with database.sessionmaker() as session:
        c = await crew(session)
    browser = Browser()
    await _subscribe(database, c, browser, push.endpoint("tutor"))

    answer = await push_client.post("/api/v1/tasks", json=new_task(c), headers=f.bearer(c.case_manager_token))
    assert answer.status_code == 201, answer.text
    code = answer.json()["code"]

    assert [r.path for r in push.received] == ["/push/tutor"]
    sent = push.received[0]
    assert sent.headers["content-encoding"] == "aes128gcm" and int(sent.headers["ttl"]) > 0
    assert Vapid02.verify(sent.headers["authorization"])  # signed with the instance's VAPID key
    notice = browser.decrypt(sent.body)
    assert notice["title"] == f"Nuova attività {code}"
    assert notice["url"] == "/attivita"
    assert "Quintavalle" not in str(notice)  # a code and a short word: never who the person is
    async with database.sessionmaker() as session:
        row = (await session.exec(select(PushSubscription))).one()
        assert row.last_success_at is not None
        assert await has_subscription(session, c.tutor.id or 0)

    push.status = 410  # the browser dropped the subscription; its push service says so
    answer = await push_client.post("/api/v1/tasks", json=new_task(c, hours=5), headers=f.bearer(c.case_manager_token))
    assert answer.status_code == 201, answer.text
    assert len(push.received) == 2
    async with database.sessionmaker() as session:
        assert (await session.exec(select(PushSubscription))).all() == []
        assert not await has_subscription(session, c.tutor.id or 0)
        pruned = (await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "push.prune"))).all()
        assert [p.entity_id for p in pruned] == [str(row.id)]
        assert len((await session.exec(select(Task))).all()) == 2  # the task exists whatever the push did


async def test_tasks_moved_for_an_absence_notify_the_substitute(
    database: Database, push: FakePushService, push_client: httpx.AsyncClient
) -> None:
    async with database.sessionmaker() as session:
        c = await crew(session)
    browser = Browser()
    async with database.sessionmaker() as session:
        actor = await actor_of(session, c.other_tutor.id or 0)
    async with Tx.open(database, actor=actor) as tx:
        await subscribe(tx, endpoint=push.endpoint("substitute"), p256dh=browser.p256dh, auth=browser.auth)
        await tx.commit()
    for hours in (2, 26):
        answer = await push_client.post(
            "/api/v1/tasks", json=new_task(c, hours=hours), headers=f.bearer(c.case_manager_token)
        )
        assert answer.status_code == 201
    assert push.received == []  # the tutor has no browser subscribed: nothing sent to anyone else
    today = to_rome(utcnow()).date()
    absence = {
        "from_operator_id": c.tutor.id,
        "to_operator_id": c.other_tutor.id,
        "start": today.isoformat(),
        "end": (today + timedelta(days=3)).isoformat(),
    }
    answer = await push_client.post("/api/v1/tasks/reassign", json=absence, headers=f.bearer(c.case_manager_token))
    assert answer.status_code == 200, answer.text
    assert [r.path for r in push.received] == ["/push/substitute"]
    assert browser.decrypt(push.received[0].body)["title"] == "2 nuove attività"
