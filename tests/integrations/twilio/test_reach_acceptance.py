"""Acceptance of contact rules with the rota and Twilio (fake REST, signed webhooks, travelled clock):

An ALTA alert at 13:59 calls the morning coordinator; a swap at 14:00 makes the afternoon one the target
of the next step; an unanswered call moves to the SMS of the rule (at once, rather than at the rule's
two minutes: the call is known to have failed); pressing 1 on the call acknowledges and stops every
pending notification.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from twilio.http.response import Response

from alerts.escalation.engine import tick
from alerts.escalation.models import EscalationPolicyCreate, PolicyRole, PolicyStep
from alerts.escalation.service import create_policy
from alerts.models import Alert, AlertSource, AlertState, Channel, DeliveryState, Notification, Severity
from alerts.raising import raise_alert
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.service import commit
from centrale.operators.contact_models import ContactSettings
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.settings import Settings
from integrations.twilio.sender import TwilioSmsSender, twilio_client
from integrations.twilio.voice import TwilioVoiceCaller
from tests import factories as f
from tests.centrale.rota.helpers import put_on_duty
from tests.integrations.conftest import ACCOUNT, post_signed
from tests.integrations.fake_twilio import FakeTwilioHttp, Recorded

AT_1359 = datetime(2026, 3, 3, 13, 59, tzinfo=ROME)  # a Tuesday
CALL_THEN_SMS = {"ALTA": [{"method": "VOCE", "delay_minutes": 0}, {"method": "SMS", "delay_minutes": 2}]}


class FakeTwilio(FakeTwilioHttp):
    """The fake REST API, also answering call creation with a queued call of its own sid."""

    def request(self, method: str, uri: str, params: Any = None, data: Any = None, **kwargs: Any) -> Response:
        if method == "POST" and uri.endswith("/Calls.json"):
            self.requests.append(Recorded(method, uri, params, data))
            sid = f"CA{len(self.calls()):032d}"
            body = {"sid": sid, "status": "queued", "to": data["To"], "from": data["From"], "account_sid": ACCOUNT}
            return Response(201, json.dumps(body))
        return super().request(method, uri, params, data, **kwargs)

    def calls(self) -> list[Recorded]:
        return [r for r in self.requests if r.uri.endswith("/Calls.json")]

    def posted(self) -> list[tuple[str, str]]:
        """(what, to) of every call and SMS asked of Twilio, in order."""
        return [("call" if r.uri.endswith("/Calls.json") else "sms", (r.data or {})["To"]) for r in self.requests]


def _status_path(call: Recorded) -> str:
    """The status callback the call was placed with (the app's own path and its notification)."""
    url = urlsplit((call.data or {})["StatusCallback"])
    return f"{url.path}?n={parse_qs(url.query)['n'][0]}"


async def _notifications(database: Database, alert_id: int, op: Operator) -> list[tuple[Channel, DeliveryState]]:
    async with database.sessionmaker() as s:
        rows = await s.exec(
            select(Notification)
            .where(col(Notification.alert_id) == alert_id, col(Notification.recipient_operator_id) == op.id)
            .order_by(col(Notification.id))
        )
        return [(n.channel, n.state) for n in rows.all()]


async def test_a_call_a_swap_an_unanswered_call_then_1_pressed(
    client: httpx.AsyncClient, database: Database, session: AsyncSession, settings: Settings
) -> None:
    centrale = await f.org(session, OrgKind.CENTRALE)
    morning = await f.operator(session, Role.COORDINATORE, centrale, phone="+393330000301")
    afternoon = await f.operator(session, Role.COORDINATORE, centrale, phone="+393330000302")
    await put_on_duty(session, morning)  # the rota: the morning coordinator, until someone takes over
    for op in (morning, afternoon):
        assert op.id is not None
        session.add(ContactSettings(operator_id=op.id, rules=CALL_THEN_SMS))
    await create_policy(
        session,
        data=EscalationPolicyCreate(
            name="Coordinamento",
            severity=Severity.ALTA,
            steps=[
                PolicyStep(role=PolicyRole.COORDINATORE_DI_TURNO, channels=[Channel.SMS], wait_minutes=5),
                PolicyStep(role=PolicyRole.COORDINATORE_DI_TURNO, channels=[Channel.SMS], wait_minutes=10),
            ],
        ),
    )
    await commit(session)
    http = FakeTwilio()
    sms = TwilioSmsSender(client=twilio_client(settings, http), database=database, settings=settings)
    voice = TwilioVoiceCaller(client=twilio_client(settings, http), settings=settings)

    async def run() -> None:
        await tick(database, sender=sms, caller=voice, instance="acceptance")

    with time_machine.travel(AT_1359, tick=False) as clock:
        raised = await raise_alert(
            session, source=AlertSource.OPERATORE, severity=Severity.ALTA, summary="Caduta in casa, diabetica"
        )
        await commit(session)
        alert_id = raised.alert.id
        assert alert_id is not None
        await run()
        assert http.posted() == [("call", morning.phone)]  # 13:59: the morning coordinator's phone rings

        clock.move_to(AT_1359 + timedelta(minutes=1))  # 14:00: the morning coordinator hands the shift over
        swap = {
            "role": "COORDINATORE",
            "operator_id": morning.id,
            "with_operator_id": afternoon.id,
            "starts_at": (AT_1359 + timedelta(minutes=1)).astimezone(UTC).isoformat(),
            "ends_at": (AT_1359 + timedelta(hours=6)).astimezone(UTC).isoformat(),
        }
        r = await client.post("/api/v1/rota/swaps", json=swap, headers=f.bearer(await f.token_for(session, morning)))
        assert r.status_code == 201, r.text

        clock.move_to(AT_1359 + timedelta(seconds=95))  # 14:00:35: Twilio gave up ringing
        [first_call] = http.calls()
        no_answer = {"CallSid": "CA" + "1".zfill(32), "AccountSid": ACCOUNT, "CallStatus": "no-answer"}
        r = await post_signed(client, _status_path(first_call), no_answer)
        assert r.status_code == 200, r.text
        await run()
        assert http.posted() == [("call", morning.phone)]  # the rule's SMS waits for its two minutes
        clock.move_to(AT_1359 + timedelta(minutes=2))  # 14:01: the rule's delay after the call
        await run()
        assert http.posted() == [("call", morning.phone), ("sms", morning.phone)]
        assert "diabet" not in json.dumps([r.data for r in http.requests]).lower()

        clock.move_to(AT_1359 + timedelta(minutes=5))  # 14:04: the next step, resolved from the rota now
        await run()
        assert http.posted()[2:] == [("call", afternoon.phone)]
        second_call = http.calls()[1]
        gather = _status_path(second_call).replace("/status?", "/gather?") + "&volta=1"
        press_1 = {"CallSid": "CA" + "2".zfill(32), "AccountSid": ACCOUNT, "Digits": "1", "CallStatus": "in-progress"}
        clock.move_to(AT_1359 + timedelta(minutes=5, seconds=20))
        r = await post_signed(client, gather, press_1)
        assert r.status_code == 200 and "Presa visione registrata" in r.text

        clock.move_to(AT_1359 + timedelta(minutes=30))  # long after the afternoon's SMS and any next step
        await run()
    assert len(http.posted()) == 3  # nothing more was sent
    async with database.sessionmaker() as s:
        alert = await s.get(Alert, alert_id)
        assert alert is not None and alert.state == AlertState.PRESA_VISIONE
        assert alert.acknowledged_by == afternoon.id
    assert await _notifications(database, alert_id, morning) == [
        (Channel.VOCE, DeliveryState.FALLITA),
        (Channel.SMS, DeliveryState.INVIATA),
    ]
    assert await _notifications(database, alert_id, afternoon) == [
        (Channel.VOCE, DeliveryState.INVIATA),
        (Channel.SMS, DeliveryState.ANNULLATA),
    ]
