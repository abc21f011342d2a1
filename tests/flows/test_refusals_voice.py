"""Refusals on the voice surface of "presa visione": 1 pressed on a call acknowledges only as the active operator
the call was placed for, only for the call Twilio reported placing.

Pressing 1 on a call that is not the notification's, on a call to an operator deactivated since, or on a
notification that named no operator, acknowledges nothing: the alert stays new, the pending notifications
stay pending, the caller hears that it could not be done, and an audit row DENIED names the flow and the
notification. The same key on the right call succeeds, so the refusals cannot come from a malformed request.
"""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import AlertState, DeliveryState
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.db import Database
from centrale.events.service import commit
from centrale.operators.models import Operator
from centrale.settings import Settings
from tests.integrations.conftest import ACCOUNT, PUBLIC, TOKEN, post_signed
from tests.integrations.twilio.test_voice_router import CALL, GATHER, Called, called_world, key_press

#: no flow of its own: the voice surface of alert.acknowledge (the API and SMS ones: test_refusals_alerts)
COVERED: set[str] = {"alert.acknowledge"}


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        environment="test",
        database_url=database.url,
        public_url=PUBLIC,
        scheduler_enabled=False,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
        twilio_from_number="+390699999999",
    )


async def _refusals(session: AsyncSession, notification_id: int | None) -> int:
    where = [
        col(AuditEvent.outcome) == AuditOutcome.DENIED,
        col(AuditEvent.subtype) == "alert.acknowledge",
        col(AuditEvent.entity_id) == str(notification_id),
    ]
    return (await session.exec(select(func.count()).select_from(AuditEvent).where(*where))).one()


async def _unchanged(session: AsyncSession, w: Called) -> bool:
    for row in (w.alert, w.pending_sms):
        await session.refresh(row)
    return w.alert.state == AlertState.NUOVA and w.pending_sms.state == DeliveryState.IN_ATTESA


async def _press_1(client: httpx.AsyncClient, w: Called, call_sid: str = CALL) -> httpx.Response:
    return await post_signed(client, f"{GATHER}?n={w.call.id}&volta=1", key_press("1", call_sid=call_sid))


async def test_a_call_that_is_not_the_notifications_acknowledges_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await called_world(session)
    r = await _press_1(client, w, call_sid="CA" + "9" * 32)
    assert r.status_code == 200 and "Non è stato possibile" in r.text
    assert await _unchanged(session, w)
    assert await _refusals(session, w.call.id) == 1
    r = await _press_1(client, w)
    assert "Presa visione registrata" in r.text
    await session.refresh(w.alert)
    assert w.alert.state == AlertState.PRESA_VISIONE


async def test_an_operator_deactivated_since_the_call_acknowledges_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await called_world(session)
    operator = await session.get(Operator, w.operator_id)
    assert operator is not None
    operator.active = False
    session.add(operator)
    await commit(session)
    r = await _press_1(client, w)
    assert r.status_code == 200 and "Non è stato possibile" in r.text
    assert await _unchanged(session, w)
    assert await _refusals(session, w.call.id) == 1


async def test_a_notification_that_named_no_operator_acknowledges_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await called_world(session)
    w.call.recipient_operator_id = None
    w.call.recipient = "board"
    session.add(w.call)
    await commit(session)
    r = await _press_1(client, w)
    assert r.status_code == 200 and "Non è stato possibile" in r.text
    assert await _unchanged(session, w)
    assert await _refusals(session, w.call.id) == 1
