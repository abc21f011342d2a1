"""What a card tells, at the API level: the reports' words, the escalation story, states that agree with
each other, "Prendi in carico" as one act, the personal notifications and the quarantine in the
snapshot; and a page of cards read in a fixed number of statements, whatever its size."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from sqlalchemy import event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.service import seed_default_policies
from alerts.models import Alert, AlertEntry, AlertState, Channel, DeliveryState, EntryKind, Notification
from alerts.service import retrigger
from alerts.sms.flows import receive_sms
from centrale.auth.actor import actor_of
from centrale.cases.models import Case, CaseCategory, CasePhase, CaseState, SiussArea
from centrale.clock import utcnow
from centrale.db import Database
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import Person
from tests import factories as f
from web.board.scope import BatchFacts, may_see
from web.board.snapshot import alert_cards, take_snapshot

SENTINEL = "+393330000101"
_sids = itertools.count(1)


async def _report(session: AsyncSession, body: str, sender: str = SENTINEL) -> int:
    message = await receive_sms(
        session,
        params={"MessageSid": f"SM{next(_sids):032d}", "From": sender, "To": "+390699999999", "Body": body},
    )
    await commit(session)
    assert message.alert_id is not None or sender != SENTINEL
    return message.alert_id or 0


async def _world(session: AsyncSession) -> tuple[Person, Operator, str, Operator]:
    """A person with a phone followed in a building with a sentinel; a coordinator; the building's tutor."""
    await seed_default_policies(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    centrale = await f.org(session, OrgKind.CENTRALE)
    tutor = await f.operator(session, Role.TUTOR, municipio)
    cond = await f.condominio(session, tutor)
    who = await f.person(session, municipio, cognome="Verdi")
    who.telefoni = ["+390651230009"]
    who.indirizzo = "Via Laurentina 555, int. 7"
    session.add(who)
    await f.assisted(session, cond, who, alias="INT. 7")
    await f.sentinel(session, cond, phone=SENTINEL)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    await commit(session)
    return who, coordinator, await f.token_for(session, coordinator), tutor


async def test_a_card_tells_the_reports_newest_first_whom_to_call_and_the_next_step(session: AsyncSession) -> None:
    who, *_ = await _world(session)
    for n in range(5):
        alert_id = await _report(session, f"AIUTO int. 7, messaggio {n}")
    card = (await alert_cards(session, [alert_id]))[alert_id]
    assert [r["text"] for r in card["reports"]] == [f"AIUTO int. 7, messaggio {n}" for n in (4, 3, 2)]
    assert card["report_total"] == 5 and card["reports"][0]["phone"] == SENTINEL
    assert (card["person_name"], card["address"], card["phones"]) == (
        f"{who.nome} Verdi",
        "Via Laurentina 555, int. 7",
        ["+390651230009"],
    )
    assert card["story"]["steps"] == []
    assert card["story"]["next"]["index"] == 0 and card["story"]["next"]["role"] == "TUTOR"


async def test_a_buildings_alert_gathers_the_words_of_the_reports_from_its_building(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _who, _coordinator, token, _tutor = await _world(session)
    for n in range(3):  # three reports from one building within the window: the building's alert opens
        await _report(session, f"int. 7 rumori, messaggio {n}")
    building = (await session.exec(select(Alert).where(col(Alert.building_level).is_(True)))).one()
    assert building.id is not None
    card = (await alert_cards(session, [building.id]))[building.id]
    assert [r["text"] for r in card["reports"]] == [f"int. 7 rumori, messaggio {n}" for n in (2, 1, 0)]
    detail = (await client.get(f"/api/v1/alerts/{building.id}", headers=f.bearer(token))).json()
    assert len(detail["reports"]) == 3


async def test_take_acknowledges_and_assigns_in_one_act_and_the_api_tells_the_story(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _who, coordinator, token, tutor = await _world(session)
    alert_id = await _report(session, "int. 7 non risponde")
    pending = Notification(
        alert_id=alert_id,
        escalation_round=1,
        step_index=0,
        recipient=f"operator:{tutor.id}",
        recipient_operator_id=tutor.id,
        channel=Channel.SMS,
        role="TUTOR",
        to_phone=tutor.phone,
        body="Allerta",
        state=DeliveryState.IN_ATTESA,
    )
    session.add(pending)
    alert = await session.get(Alert, alert_id)
    assert alert is not None
    alert.next_step_index = 1  # as the engine leaves it once step 0 has run
    session.add(alert)
    await commit(session)
    r = await client.post(f"/api/v1/alerts/{alert_id}/take", headers=f.bearer(token))
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["acknowledged_by"], r.json()["assigned_to"]) == (
        AlertState.PRESA_VISIONE,
        coordinator.id,
        coordinator.id,
    )
    detail = (await client.get(f"/api/v1/alerts/{alert_id}", headers=f.bearer(token))).json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[-2:] == [EntryKind.PRESA_VISIONE, EntryKind.ASSEGNATA]
    assert [x["text"] for x in detail["reports"]] == ["int. 7 non risponde"]
    (step,) = detail["story"]["steps"]
    assert step["to"][0] | {"sent_at": None} == {
        "operator_id": tutor.id,
        "name": tutor.full_name,
        "channel": Channel.SMS,
        "state": DeliveryState.ANNULLATA,  # the acknowledgement stopped it before it went out
        "sent_at": None,
    }
    assert detail["story"]["next"] is None
    lines = (await client.get(f"/api/v1/alerts/{alert_id}/timeline", headers=f.bearer(token))).json()
    assert [(x["kind"], x["operator_name"]) for x in lines][-2:] == [
        (EntryKind.PRESA_VISIONE, coordinator.full_name),
        (EntryKind.ASSEGNATA, coordinator.full_name),
    ]
    again = await client.post(f"/api/v1/alerts/{alert_id}/take", headers=f.bearer(token))
    assert again.status_code == 200  # already seen: taking it only holds it (nothing to stop)


async def test_a_retriggered_alert_is_new_again_and_names_no_acknowledger(session: AsyncSession) -> None:
    _who, coordinator, _token, _tutor = await _world(session)
    alert_id = await _report(session, "int. 7 non risponde")
    alert = await session.get(Alert, alert_id)
    assert alert is not None
    alert.state, alert.acknowledged_by, alert.acknowledged_at = AlertState.PRESA_VISIONE, coordinator.id, utcnow()
    await retrigger(session, alert=alert, now=utcnow())
    await commit(session)
    card = (await alert_cards(session, [alert_id]))[alert_id]
    assert (card["state"], card["acknowledged_by"], card["acknowledged_at"]) == (AlertState.NUOVA, None, None)


async def test_the_snapshot_keeps_personal_notifications_and_shows_the_quarantine_to_reviewers(
    session: AsyncSession,
) -> None:
    _who, coordinator, _token, tutor = await _world(session)
    alert_id = await _report(session, "int. 7 non risponde")
    await _report(session, "la signora sta male", sender="+393471234567")
    session.add(
        Notification(
            alert_id=alert_id,
            escalation_round=1,
            step_index=1,
            recipient=f"operator:{coordinator.id}",
            recipient_operator_id=coordinator.id,
            channel=Channel.PERSONALE,
            role="COORDINATORE_DI_TURNO",
            body="Allerta ALTA: int. 7",
            state=DeliveryState.INVIATA,
        )
    )
    await commit(session)
    coordinator_actor, tutor_actor = await actor_of(session, coordinator.id), await actor_of(session, tutor.id)
    assert coordinator_actor is not None and tutor_actor is not None
    mine = await take_snapshot(session, coordinator_actor)
    assert [(n["alert_id"], n["text"]) for n in mine["personal"]] == [(alert_id, "Allerta ALTA: int. 7")]
    assert mine["quarantine"]["count"] == 1 and mine["quarantine"]["items"][0]["text"] == "la signora sta male"
    theirs = await take_snapshot(session, tutor_actor)
    assert theirs["personal"] == [] and theirs["quarantine"] is None


async def test_a_page_of_cards_costs_the_same_statements_for_one_alert_or_twenty(
    database: Database, session: AsyncSession
) -> None:
    await _world(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    ids = []
    for n in range(20):
        cond = await f.condominio(session)
        who = await f.person(session, municipio)
        await f.assisted(session, cond, who, alias="A1")
        await f.sentinel(session, cond, phone=f"+39333100{n:04d}")
        ids.append(await _report(session, f"AIUTO n. {n}", sender=f"+39333100{n:04d}"))
    statements: list[Any] = []

    def count(*_args: Any) -> None:
        statements.append(1)

    async def cost(alert_ids: list[int]) -> int:
        statements.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            async with database.sessionmaker() as fresh:
                cards = await alert_cards(fresh, alert_ids)
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
        assert all(card["reports"] for card in cards.values())
        return len(statements)

    assert await cost(ids[:1]) == await cost(ids) <= 3
    entries = (await session.exec(select(AlertEntry).where(col(AlertEntry.alert_id).in_(ids)))).all()
    assert entries  # the alerts are real ones, opened by the reports


async def test_the_quarantine_events_reach_those_who_review_it(session: AsyncSession) -> None:
    asl, municipio = await f.org(session, OrgKind.ASL_PUA), await f.org(session, OrgKind.MUNICIPIO)
    pua, tutor = await f.operator(session, Role.OPERATORE_PUA, asl), await f.operator(session, Role.TUTOR, municipio)
    await commit(session)
    quarantined = Event(kind="sms.quarantined", entity_type="InboundSms", entity_id="1", payload={}, seq=1, at=utcnow())
    facts = BatchFacts()
    for operator, sees in ((pua, True), (tutor, False)):
        actor = await actor_of(session, operator.id)
        assert actor is not None
        assert may_see(actor, quarantined, set(), set(), facts) is sees, operator.role


async def test_the_file_link_is_offered_only_to_who_may_open_the_case(session: AsyncSession) -> None:
    who, _coordinator, _token, tutor = await _world(session)
    municipio = await session.get(Organisation, who.registered_by_org_id)
    assert municipio is not None and municipio.id is not None and who.id is not None
    manager = await f.operator(session, Role.CASE_MANAGER, municipio)
    assert manager.id is not None
    case = Case(
        person_id=who.id,
        state=CaseState.APERTO,
        phase=CasePhase.INVIO,
        category=CaseCategory.ANZIANI,
        siuss_area=SiussArea(2),
        case_manager_id=manager.id,
        organisation_id=municipio.id,
    )
    session.add(case)
    await commit(session)
    alert_id = await _report(session, "int. 7 non risponde")
    files = {}
    for operator in (manager, tutor):
        actor = await actor_of(session, operator.id)
        assert actor is not None
        (card,) = [c for c in (await take_snapshot(session, actor))["alerts"] if c["id"] == alert_id]
        files[operator.role] = card["file"]
    assert files == {Role.CASE_MANAGER: case.id, Role.TUTOR: None}
