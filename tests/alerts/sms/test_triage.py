"""Triage: sender -> sentinel -> condominio -> person; keywords -> severity; threads; commands; quarantine."""

from __future__ import annotations

import itertools
from datetime import timedelta

import httpx
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertEntry, AlertState, Channel, EntryKind, Notification, Severity
from alerts.sms.flows import receive_sms
from alerts.sms.models import InboundSms, InboundState
from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from centrale.tasks.models import ClosedVia, TaskCreate, TaskState, TaskType
from centrale.tasks.service import create_task
from tests import factories as f

SENTINEL = "+393330000101"
_sids = itertools.count(1)


def sms(body: str, sender: str = SENTINEL) -> dict[str, str]:
    return {
        "MessageSid": f"SM{next(_sids):032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+390699999999",
        "Body": body,
        "NumMedia": "0",
    }


async def receive(session: AsyncSession, body: str, sender: str = SENTINEL) -> InboundSms:
    message = await receive_sms(session, params=sms(body, sender))
    await commit(session)
    return message


async def building(session: AsyncSession, *aliases: str) -> tuple[Condominio, list[Person]]:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cond = await f.condominio(session)
    people = []
    for alias in aliases:
        who = await f.person(session, municipio)
        await f.assisted(session, cond, who, alias=alias)
        people.append(who)
    await f.sentinel(session, cond, phone=SENTINEL)
    return cond, people


async def alerts(session: AsyncSession) -> list[Alert]:
    return list((await session.exec(select(Alert).order_by(col(Alert.id)))).all())


async def test_the_only_assisted_person_gets_a_high_alert(session: AsyncSession):
    _, (nonna,) = await building(session, "A1")
    message = await receive(session, "Nonna è CADUTA, non si alza")
    (alert,) = await alerts(session)
    assert (alert.person_id, alert.severity, alert.state) == (nonna.id, Severity.ALTA, AlertState.NUOVA)
    assert (message.state, message.alert_id, message.body) == (
        InboundState.SMISTATO,
        alert.id,
        "Nonna è CADUTA, non si alza",
    )
    assert message.receipt_code in (message.reply or "")
    assert "CADUTA" not in alert.summary  # the words stay on the message, not on the board


async def test_alias_names_the_person_and_keywords_give_medium(session: AsyncSession):
    _, (_b3, int7) = await building(session, "B3", "INT. 7")
    await receive(session, "la signora dell'int. 7 mi sembra confusa")
    (alert,) = await alerts(session)
    assert (alert.person_id, alert.severity) == (int7.id, Severity.MEDIA)


async def test_no_alias_among_several_is_a_building_alert(session: AsyncSession):
    cond, _ = await building(session, "B3", "B4")
    await receive(session, "Aiuto, c'è odore di gas sulle scale")
    (alert,) = await alerts(session)
    assert (alert.person_id, alert.condominio_id, alert.severity) == (None, cond.id, Severity.ALTA)


async def test_follow_up_joins_within_the_window_and_opens_anew_after(session: AsyncSession):
    _, (_b3, b4) = await building(session, "B3", "B4")
    first = await receive(session, "B4 non risponde al citofono")
    later = await receive(session, "ancora niente, chiamo l'ambulanza?")  # names no one: same thread
    (alert,) = await alerts(session)
    assert first.alert_id == later.alert_id == alert.id
    assert (alert.person_id, alert.report_count) == (b4.id, 2)
    entries = (await session.exec(select(AlertEntry).where(col(AlertEntry.alert_id) == alert.id))).all()
    assert [e.kind for e in entries].count(EntryKind.SEGNALAZIONE) == 2
    with time_machine.travel(utcnow() + timedelta(hours=5), tick=False):
        again = await receive(session, "B4 non risponde")
    assert again.alert_id != alert.id and len(await alerts(session)) == 2


async def test_a_removed_sentinel_is_unknown_and_a_person_no_longer_followed_is_not_named(session: AsyncSession):
    cond, (kept, gone) = await building(session, "A1", "B2")
    (link,) = (await session.exec(select(AssistedPerson).where(col(AssistedPerson.person_id) == gone.id))).all()
    link.active = False
    await commit(session)
    first = await receive(session, "caduta")  # the only person still followed: theirs
    (alert,) = await alerts(session)
    assert (alert.person_id, first.person_id) == (kept.id, kept.id)
    (sentinel,) = (await session.exec(select(Sentinel).where(col(Sentinel.condominio_id) == cond.id))).all()
    sentinel.deleted_at = utcnow()
    await commit(session)
    after = await receive(session, "caduta")
    assert after.state == InboundState.QUARANTENA and after.sentinel_id is None


async def test_unknown_sender_goes_to_quarantine_and_the_reply_reveals_nothing(session: AsyncSession):
    await building(session, "A1")
    known = await receive(session, "buongiorno, tutto tranquillo?")
    stranger = await receive(session, "buongiorno, tutto tranquillo?", sender="+393471234567")
    assert stranger.state == InboundState.QUARANTENA and stranger.alert_id is None
    assert (stranger.reply or "").replace(stranger.receipt_code, "") == (known.reply or "").replace(
        known.receipt_code, ""
    )


async def test_ok_code_from_a_notified_operator_acknowledges(session: AsyncSession):
    cond, _ = await building(session, "A1")
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    tutor = await f.operator(session, Role.TUTOR, municipio, phone="+393330000211")
    await f.operator(session, Role.TUTOR, municipio, phone="+393330000299")
    await receive(session, "caduta in casa")
    (alert,) = await alerts(session)
    assert alert.id is not None and tutor.id is not None
    session.add(
        Notification(
            alert_id=alert.id,
            escalation_round=1,
            step_index=0,
            recipient=f"operator:{tutor.id}",
            recipient_operator_id=tutor.id,
            channel=Channel.SMS,
            role="TUTOR",
            body="x",
        )
    )
    await commit(session)
    other = await receive(session, f"OK {alert.id}", sender="+393330000299")
    assert "non riconosciuto" in (other.reply or "")
    from_sentinel = await receive(session, f"ok {alert.id}")  # not an operator's phone: a check-in word, no command
    assert "abbiamo ricevuto la tua risposta" in (from_sentinel.reply or "")
    await session.refresh(alert)
    assert alert.state == AlertState.NUOVA  # refused codes change nothing
    done = await receive(session, f"ok {alert.id}", sender="+393330000211")
    await session.refresh(alert)
    assert "Presa visione" in (done.reply or "")
    assert (alert.state, alert.acknowledged_by) == (AlertState.PRESA_VISIONE, tutor.id)
    assert cond.id is not None


async def test_fatto_code_closes_the_assignees_task_and_refuses_other_phones(session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    tutor = await f.operator(session, Role.TUTOR, municipio, phone="+393330000211")
    other = await f.operator(session, Role.TUTOR, municipio, phone="+393330000212")
    who = await f.person(session, municipio)
    await f.assisted(session, await f.condominio(session, tutor), who)  # the tutor follows the person
    assert who.id is not None and tutor.id is not None
    now = utcnow()
    task = await create_task(
        session,
        data=TaskCreate(
            person_id=who.id,
            type=TaskType.VISITA_DOMICILIARE,
            assignee_id=tutor.id,
            due_start=now - timedelta(hours=1),
            due_end=now + timedelta(hours=1),
        ),
        created_by_id=None,
    )
    await commit(session)
    unknown = await receive(session, "FATTO ZZZ999", sender="+393330000211")
    assert "non riconosciuto" in (unknown.reply or "")
    stranger = await receive(session, f"FATTO {task.code}", sender=other.phone or "")
    assert "non riconosciuto" in (stranger.reply or "")
    await session.refresh(task)
    assert task.state == TaskState.APERTA
    done = await receive(session, f"fatto {task.code.lower()}", sender="+393330000211")
    await session.refresh(task)
    assert (task.state, task.closed_by_id, task.closed_via) == (TaskState.SVOLTA, tutor.id, ClosedVia.SMS)
    assert task.code in (done.reply or "")
    again = await receive(session, f"FATTO {task.code}", sender="+393330000211")
    assert "non riconosciuto" in (again.reply or "")


async def test_a_sentinel_ok_with_nothing_pending_raises_nothing(session: AsyncSession):
    await building(session, "A1")
    message = await receive(session, "tutto bene")
    assert await alerts(session) == []
    assert message.state == InboundState.SMISTATO


async def test_operator_assigns_or_discards_quarantined_messages(client: httpx.AsyncClient, session: AsyncSession):
    cond, (nonna,) = await building(session, "A1")
    centrale = await f.org(session, OrgKind.CENTRALE)
    token = await f.token_for(session, await f.operator(session, Role.COORDINATORE, centrale))
    tutor_token = await f.token_for(session, await f.operator(session, Role.TUTOR, centrale))
    first = await receive(session, "la signora del terzo piano sta male", sender="+393471234567")
    second = await receive(session, "pubblicità", sender="+393471234568")
    refused = await client.get("/api/v1/sms/quarantena", headers=f.bearer(tutor_token))
    assert refused.status_code == 403
    listed = await client.get("/api/v1/sms/quarantena", headers=f.bearer(token))
    assert [m["id"] for m in listed.json()["data"]] == [first.id, second.id]
    r = await client.post(
        f"/api/v1/sms/quarantena/{first.id}/assegna", json={"person_id": nonna.id}, headers=f.bearer(token)
    )
    assert r.status_code == 200, r.text
    # "sta male" from an unknown number raised an alert at once; attached, it lives on the person's alert
    unknown, alert = await alerts(session)
    await session.refresh(unknown)
    assert (unknown.person_id, unknown.state) == (None, AlertState.ANNULLATA)
    assert (alert.person_id, alert.condominio_id, alert.severity) == (nonna.id, cond.id, Severity.ALTA)
    r = await client.post(f"/api/v1/sms/quarantena/{second.id}/scarta", headers=f.bearer(token))
    assert r.json()["state"] == "SCARTATO"
    again = await client.post(f"/api/v1/sms/quarantena/{second.id}/scarta", headers=f.bearer(token))
    assert again.status_code == 409
    assert (await client.get("/api/v1/sms/quarantena", headers=f.bearer(token))).json()["count"] == 0
