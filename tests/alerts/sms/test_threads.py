"""Threads that match the person: a report naming another flat or person does not join the open thread;
an unknown number's urgent words raise an alert at once; the console's provider ids never repeat."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import AlertState, Severity
from alerts.sms.models import InboundSms, InboundState
from alerts.sms.triage import UNKNOWN_SENDER
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.ports import OutgoingSms
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f
from tests.alerts.sms.test_triage import SENTINEL, alerts, building, receive


async def test_a_second_flat_named_loosely_starts_its_own_alert_instead_of_joining_the_thread(session: AsyncSession):
    _, (a2, _b3, int7) = await building(session, "A2", "B3", "INT. 7")
    first = await receive(session, "AIUTO A2 è caduta")
    second = await receive(session, "anche la signora dell'interno 7 non risponde")
    follow_up = await receive(session, "ancora non apre")  # names no one: the thread (the last report's person)
    # (three reports from one building also open the building's alert: not the point here)
    by_person = {a.person_id: a for a in await alerts(session) if not a.building_level}
    assert set(by_person) == {a2.id, int7.id}
    assert (first.alert_id, second.alert_id, follow_up.alert_id) == (
        by_person[a2.id].id,
        by_person[int7.id].id,
        by_person[int7.id].id,
    )


async def test_a_person_named_by_surname_is_the_one_the_report_is_about(session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cond = await f.condominio(session)
    bianco = await f.person(session, municipio, cognome="Bianco")
    rossi = await f.person(session, municipio, cognome="Rossi")
    await f.assisted(session, cond, bianco, alias="A2")
    await f.assisted(session, cond, rossi, alias="B3")
    await f.sentinel(session, cond, phone=SENTINEL)
    await receive(session, "A2 sta male")
    message = await receive(session, "il signor Rossi non risponde")
    assert message.person_id == rossi.id
    assert {a.person_id for a in await alerts(session)} == {bianco.id, rossi.id}


async def test_a_flat_where_no_one_is_followed_goes_to_the_building_not_the_thread(session: AsyncSession):
    cond, (a2,) = await building(session, "A2")
    await receive(session, "A2 è caduta")
    message = await receive(session, "al piano di sopra, int. 12, una signora chiede aiuto")
    assert (message.person_id, message.condominio_id) == (None, cond.id)
    person_alert, building_alert = await alerts(session)
    assert person_alert.person_id == a2.id and person_alert.report_count == 1
    assert (building_alert.person_id, building_alert.condominio_id) == (None, cond.id)


async def test_an_unknown_numbers_urgent_words_raise_an_alert_at_once_and_wait_in_quarantine(
    session: AsyncSession,
) -> None:
    await building(session, "A2")
    calm = await receive(session, "buongiorno, chi siete?", sender="+393471234567")
    urgent = await receive(session, "la vicina non risponde da ieri", sender="+393471234568")
    again = await receive(session, "AIUTO per favore", sender="+393471234568")
    (alert,) = await alerts(session)
    assert (alert.summary, alert.severity, alert.person_id, alert.report_count) == (
        UNKNOWN_SENDER,
        Severity.ALTA,
        None,
        2,
    )
    assert (calm.state, calm.alert_id) == (InboundState.QUARANTENA, None)
    assert (urgent.state, urgent.alert_id, again.alert_id) == (InboundState.QUARANTENA, alert.id, alert.id)


async def test_attaching_an_urgent_unknown_message_moves_it_to_the_persons_alert(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    cond, (nonna,) = await building(session, "A2")
    centrale = await f.org(session, OrgKind.CENTRALE)
    token = await f.token_for(session, await f.operator(session, Role.COORDINATORE, centrale))
    urgent = await receive(session, "la nonna è caduta, aiuto", sender="+393471234568")
    listed = (await client.get("/board/quarantena", headers=f.bearer(token))).json()
    assert listed["count"] == 1 and listed["items"][0]["text"] == "la nonna è caduta, aiuto"
    targets = (await client.get("/board/quarantena/destinazioni", headers=f.bearer(token))).json()["data"]
    assert any(p["id"] == nonna.id for b in targets for p in b["persons"])
    r = await client.post(
        f"/board/quarantena/{urgent.id}/attribuisci", json={"person_id": nonna.id}, headers=f.bearer(token)
    )
    assert r.status_code == 200, r.text
    unknown, person_alert = await alerts(session)
    await session.refresh(unknown)
    assert unknown.state == AlertState.ANNULLATA  # withdrawn: its report now lives on the person's alert
    assert (person_alert.person_id, person_alert.condominio_id, r.json()["alert_id"]) == (
        nonna.id,
        cond.id,
        person_alert.id,
    )
    detail = (await client.get(f"/api/v1/alerts/{person_alert.id}", headers=f.bearer(token))).json()
    assert [(x["text"], x["sender"]) for x in detail["reports"]] == [("la nonna è caduta, aiuto", None)]
    by_building = await receive(session, "rumori strani dal condominio", sender="+393471234569")
    r = await client.post(
        f"/board/quarantena/{by_building.id}/attribuisci", json={"condominio_id": cond.id}, headers=f.bearer(token)
    )
    assert r.status_code == 200, r.text
    stored = (await session.exec(select(InboundSms).where(col(InboundSms.id) == by_building.id))).one()
    await session.refresh(stored)
    assert (stored.state, stored.person_id, stored.condominio_id) == (InboundState.SMISTATO, None, cond.id)


async def test_console_provider_ids_do_not_repeat_after_a_restart() -> None:
    message = OutgoingSms(to="+393330000201", body="prova", key="1.1.0.operator:1.SMS")
    before, after = ConsoleSmsSender(), ConsoleSmsSender()  # the same process started twice
    first = await before.send(message)
    second = await after.send(message)
    assert first.provider_id and second.provider_id and first.provider_id != second.provider_id
