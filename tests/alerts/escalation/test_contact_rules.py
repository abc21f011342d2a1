"""Escalation follows each person's contact rule: methods at their delays, a failed call moves to the next
method at once, acknowledging stops what is pending, quiet hours spare what is not urgent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.calls import call_outcome
from alerts.escalation.engine import tick
from alerts.escalation.models import EscalationPolicyCreate, PolicyRole, PolicyStep
from alerts.escalation.service import create_policy
from alerts.models import (
    AlertEntry,
    AlertSource,
    Channel,
    DeliveryState,
    EntryKind,
    Notification,
    Severity,
)
from alerts.push.models import PushSubscription
from alerts.push.service import register_sender, unregister_sender
from alerts.raising import raise_alert
from alerts.service import acknowledge
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.service import commit
from centrale.operators.contact_models import ContactSettings, OperatorPhone
from centrale.operators.contacts import can_be_reached
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.ports import PushMessage, PushResult, PushSubscriptionInfo
from integrations.console_sms import ConsoleSmsSender
from integrations.console_voice import ConsoleVoiceCaller
from tests import factories as f
from tests.alerts.escalation.helpers import District, district, three_step_policy

T0 = datetime(2025, 3, 4, 10, 0, tzinfo=ROME)  # a Tuesday morning
CALL_THEN_SMS = {"ALTA": [{"method": "VOCE", "delay_minutes": 0}, {"method": "SMS", "delay_minutes": 2}]}


async def _raise(
    session: AsyncSession, d: District, severity: Severity = Severity.ALTA, person_id: int | None = None
) -> int:
    raised = await raise_alert(
        session,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=severity,
        summary="Caduta",
        person_id=person_id or d.person.id,
    )
    await commit(session)
    assert raised.alert.id is not None
    return raised.alert.id


async def _rules(session: AsyncSession, op: Operator, rules: dict[str, object], quiet: tuple[time, time] | None = None):
    assert op.id is not None
    start, end = quiet or (None, None)
    session.add(ContactSettings(operator_id=op.id, rules=rules, quiet_start=start, quiet_end=end))
    await commit(session)


async def _mine(database: Database, alert_id: int, op: Operator) -> list[Notification]:
    async with database.sessionmaker() as s:
        rows = await s.exec(
            select(Notification)
            .where(col(Notification.alert_id) == alert_id, col(Notification.recipient_operator_id) == op.id)
            .where(col(Notification.channel) != Channel.PERSONALE)
            .order_by(col(Notification.id))
        )
        return list(rows.all())


async def test_a_call_first_then_the_sms_after_the_rules_delay(database: Database, session: AsyncSession):
    d = await district(session)
    await three_step_policy(session)
    await _rules(session, d.tutor, CALL_THEN_SMS)
    sms, voice = ConsoleSmsSender(), ConsoleVoiceCaller()
    with time_machine.travel(T0, tick=False) as clock:
        alert_id = await _raise(session, d)
        await tick(database, sender=sms, caller=voice, instance="t")
        assert [c.to for c in voice.placed] == [d.tutor.phone] and sms.sent == []
        said = voice.placed[0].say
        assert f"numero {alert_id}" in said and "Premi 1" in said and "Caduta" not in said
        clock.move_to(T0 + timedelta(minutes=1, seconds=59))
        await tick(database, sender=sms, caller=voice, instance="t")
        assert sms.sent == []
        clock.move_to(T0 + timedelta(minutes=2))
        await tick(database, sender=sms, caller=voice, instance="t")
    assert [m.to for m in sms.sent] == [d.tutor.phone]
    assert [(n.channel, n.state) for n in await _mine(database, alert_id, d.tutor)] == [
        (Channel.VOCE, DeliveryState.INVIATA),
        (Channel.SMS, DeliveryState.INVIATA),
    ]


async def test_an_unanswered_call_moves_to_sms_at_the_rules_delay_and_acknowledging_stops_the_rest(
    database: Database, session: AsyncSession
):
    d = await district(session)
    await three_step_policy(session)
    await _rules(session, d.tutor, CALL_THEN_SMS | {"URGENTE": [{"method": "VOCE", "delay_minutes": 0}]})
    sms, voice = ConsoleSmsSender(), ConsoleVoiceCaller()
    with time_machine.travel(T0, tick=False) as clock:
        alert_id = await _raise(session, d)
        await tick(database, sender=sms, caller=voice, instance="t")
        call = (await _mine(database, alert_id, d.tutor))[0]
        clock.move_to(T0 + timedelta(seconds=40))
        assert call.id is not None
        await call_outcome(database, notification_id=call.id, outcome="no-answer", provider_id=call.provider_id)
        await call_outcome(database, notification_id=call.id, outcome="no-answer", provider_id=call.provider_id)
        await tick(database, sender=sms, caller=voice, instance="t")
        assert sms.sent == []  # at 0:40 the rule's two minutes have not passed
        clock.move_to(T0 + timedelta(minutes=2))
        await tick(database, sender=sms, caller=voice, instance="t")
        await tick(database, sender=sms, caller=voice, instance="t")
        assert [m.to for m in sms.sent] == [d.tutor.phone]  # at 2:00, once however often told
        mine = await _mine(database, alert_id, d.tutor)
        assert [(n.channel, n.state, n.error) for n in mine] == [
            (Channel.VOCE, DeliveryState.FALLITA, "no-answer"),
            (Channel.SMS, DeliveryState.INVIATA, None),
        ]
        async with database.sessionmaker() as s:
            entries = (await s.exec(select(AlertEntry).where(col(AlertEntry.alert_id) == alert_id))).all()
        assert any(e.data.get("esito") == "no-answer" and e.data.get("metodo_successivo") for e in entries)

        # the next step (the coordinator, with a rule of their own) is pending when the tutor acknowledges
        await _rules(session, d.coordinatore, CALL_THEN_SMS)
        clock.move_to(T0 + timedelta(minutes=5))
        await tick(database, sender=sms, caller=voice, instance="t")
        assert voice.placed[-1].to == d.coordinatore.phone
        async with database.sessionmaker() as s:
            await acknowledge(s, alert_id=alert_id, operator_id=d.tutor.id)
            await commit(s)
        clock.move_to(T0 + timedelta(minutes=10))
        await tick(database, sender=sms, caller=voice, instance="t")
    assert [m.to for m in sms.sent] == [d.tutor.phone]  # the coordinator's SMS never went
    assert [(n.channel, n.state) for n in await _mine(database, alert_id, d.coordinatore)] == [
        (Channel.VOCE, DeliveryState.INVIATA),
        (Channel.SMS, DeliveryState.ANNULLATA),
    ]


async def test_quiet_hours_spare_what_is_not_urgent_only(database: Database, session: AsyncSession):
    d = await district(session)
    await three_step_policy(session, severity=None)  # every severity
    await _rules(session, d.tutor, {}, quiet=(time(22, 0), time(7, 0)))
    night = datetime(2025, 3, 4, 23, 30, tzinfo=ROME)
    sms = ConsoleSmsSender()
    with time_machine.travel(night, tick=False):
        media = await _raise(session, d, Severity.MEDIA)
        await tick(database, sender=sms, instance="t")
        assert sms.sent == [] and await _mine(database, media, d.tutor) == []
        async with database.sessionmaker() as s:
            entry = (
                await s.exec(
                    select(AlertEntry).where(
                        col(AlertEntry.alert_id) == media, col(AlertEntry.kind) == EntryKind.NOTIFICA
                    )
                )
            ).one()
        assert entry.data["ore_di_quiete"] == [d.tutor.id]
        async with database.sessionmaker() as s:
            tutor = await s.get(Operator, d.tutor.id)
            assert tutor is not None
            assert not await can_be_reached(s, tutor, urgent=False)
            assert await can_be_reached(s, tutor, urgent=True)
            assert await can_be_reached(s, tutor, urgent=False, at=night + timedelta(hours=8))
    org = await session.get(Organisation, d.person.registered_by_org_id)
    assert org is not None
    neighbour = await f.person(session, org)
    await f.assisted(session, d.condominio, neighbour, alias="A2")
    with time_machine.travel(night + timedelta(minutes=1), tick=False):
        await _raise(session, d, Severity.URGENTE, person_id=neighbour.id)
        await tick(database, sender=sms, instance="t")
    assert [m.to for m in sms.sent] == [d.tutor.phone]  # urgent rings through the quiet hours


class FakePush:
    def __init__(self) -> None:
        self.sent: list[tuple[str, PushMessage]] = []

    async def send(self, subscription: PushSubscriptionInfo, message: PushMessage) -> PushResult:
        self.sent.append((subscription.endpoint, message))
        return PushResult(delivered=True)


async def test_a_device_notification_then_an_extra_phone_and_who_can_be_reached(
    database: Database, session: AsyncSession
):
    d = await district(session)
    await three_step_policy(session)
    assert d.tutor.id is not None
    session.add(PushSubscription(operator_id=d.tutor.id, endpoint="https://push.example/1", p256dh="k", auth="a"))
    session.add(OperatorPhone(operator_id=d.tutor.id, number="+390612345678", label="casa", sms=False, voice=True))
    await _rules(
        session,
        d.tutor,
        {"ALTA": [{"method": "PUSH", "delay_minutes": 0}, {"method": "VOCE", "delay_minutes": 3}]},
    )
    push, voice = FakePush(), ConsoleVoiceCaller()
    register_sender(push, database)
    try:
        with time_machine.travel(T0, tick=False) as clock:
            alert_id = await _raise(session, d)
            await tick(database, sender=ConsoleSmsSender(), caller=voice, instance="t")
            assert [(e, m.title, m.url) for e, m in push.sent] == [
                ("https://push.example/1", f"Allerta n. {alert_id}", "/board")
            ]
            assert "Caduta" not in push.sent[0][1].body and voice.placed == []
            clock.move_to(T0 + timedelta(minutes=3))
            await tick(database, sender=ConsoleSmsSender(), caller=voice, instance="t")
    finally:
        unregister_sender(database)
    assert [c.to for c in voice.placed] == [d.tutor.phone]  # the profile's mobile first, then the extra phones

    # nobody without a phone or a device can be reached, whatever the urgency
    async with database.sessionmaker() as s:
        nobody = Operator(**(d.pua.model_dump() | {"id": None, "username": "senza", "phone": None}))
        s.add(nobody)
        await commit(s)
        assert not await can_be_reached(s, nobody, urgent=True)
        tutor = await s.get(Operator, d.tutor.id)
        assert tutor is not None and await can_be_reached(s, tutor, urgent=False)


async def test_a_step_naming_only_a_call_calls_whatever_the_rule(database: Database, session: AsyncSession):
    d = await district(session)
    await create_policy(
        session,
        data=EscalationPolicyCreate(
            name="Solo chiamata",
            severity=Severity.ALTA,
            steps=[PolicyStep(role=PolicyRole.TUTOR, channels=[Channel.VOCE], wait_minutes=5)],
        ),
    )
    await commit(session)
    sms, voice = ConsoleSmsSender(), ConsoleVoiceCaller()
    with time_machine.travel(T0, tick=False) as clock:
        alert_id = await _raise(session, d)  # the tutor has no rule: the default one names no call
        await tick(database, sender=sms, caller=voice, instance="t")
        clock.move_to(T0 + timedelta(minutes=30))
        await tick(database, sender=sms, caller=voice, instance="t")
    assert [c.to for c in voice.placed] == [d.tutor.phone] and sms.sent == []
    assert [n.channel for n in await _mine(database, alert_id, d.tutor)] == [Channel.VOCE]
