"""The protected discharge's pages: the PUA records a notice on the page (errors name the field), the board's
lane lists it for those who follow the person and only them, the case manager records the milestones from
the file and moves the date, and the sentinels of the building are told the day with the alias only."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.models import Discharge, DischargeMilestone, DischargeState, Milestone
from centrale.audit.models import AuditEvent
from centrale.clock import ROME, to_rome, utcnow
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f
from web.api.deps import COOKIE_NAME


async def _world(session: AsyncSession) -> dict[str, object]:
    pua_org = await f.org(session, OrgKind.ASL_PUA, name="PUA Municipio IX")
    hospital = await f.org(session, OrgKind.OSPEDALE, name="Ospedale Sant'Eugenio")
    municipio = await f.org(session, OrgKind.MUNICIPIO, name="Municipio IX")
    return {
        "hospital": hospital,
        "pua": await f.operator(session, Role.OPERATORE_PUA, pua_org),
        "cm": await f.operator(session, Role.CASE_MANAGER, municipio),
        "stranger": await f.operator(session, Role.CASE_MANAGER, await f.org(session, municipio="VII")),
    }


def notice(hospital_id: int, cf: str, cm_id: int, days: int = 5) -> dict[str, object]:
    expected = to_rome(utcnow()).date() + timedelta(days=days)
    return {
        "codice_fiscale": cf,
        "cognome": "Rossi",
        "nome": "Anna",
        "sesso": "F",
        "data_nascita": "1938-04-02",
        "municipio": "IX",
        "hospital_org_id": str(hospital_id),
        "ward": "Medicina interna",
        "expected_date": expected.isoformat(),
        "need": ["ASSISTENZA_DOMICILIARE", "AUSILI"],
        "contact_name": "Inf. Bruni",
        "contact_phone": "06 5100 1234",
        "case_manager_id": str(cm_id),
    }


async def test_a_notice_from_the_page_becomes_a_tracked_transition_on_the_lane_and_in_the_file(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await _world(session)
    hospital, pua, cm, stranger = w["hospital"], w["pua"], w["cm"], w["stranger"]
    client.cookies.set(COOKIE_NAME, await f.token_for(session, pua))  # type: ignore[arg-type]
    form = notice(hospital.id, f.valid_cf(901), cm.id)  # type: ignore[attr-defined]

    page = await client.get("/dimissioni/nuova")
    assert (
        page.status_code == 200 and "Ospedale Sant&#39;Eugenio" in page.text and "Assistenza domiciliare" in page.text
    )
    wrong = await client.post("/dimissioni/nuova", data=form | {"ward": "", "expected_date": "domani"})
    assert wrong.status_code == 422
    assert 'id="e-expected_date"' in wrong.text and 'id="e-ward"' in wrong.text  # beside the fields named
    assert (await session.exec(select(Discharge))).all() == []

    done = await client.post("/dimissioni/nuova", data=form)
    assert done.status_code == 303, done.text
    discharge = (await session.exec(select(Discharge))).one()
    assert done.headers["location"] == f"/casi/{discharge.case_id}/dimissione"
    assert discharge.needs.startswith("Assistenza domiciliare; Ausili")
    assert discharge.hospital_contact == "Inf. Bruni, 06 5100 1234"

    lane = (await client.get("/board/dimissioni")).json()["data"]
    assert [(d["person"], d["ward"], d["days_to_discharge"], d["contact_phone"]) for d in lane] == [
        ("Rossi A.", "Medicina interna", 5, "0651001234")
    ]
    assert lane[0]["next"]["milestone"] == "UVM_PRENOTATA" and lane[0]["next"]["late"] is False
    shown = (await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "board-discharges"))).all()
    assert len(shown) == 1
    client.cookies.set(COOKIE_NAME, await f.token_for(session, stranger))  # type: ignore[arg-type]
    assert (await client.get("/board/dimissioni")).json()["data"] == []  # need-to-know
    assert (await client.get(f"/casi/{discharge.case_id}/dimissione")).status_code == 403

    client.cookies.set(COOKIE_NAME, await f.token_for(session, cm))  # type: ignore[arg-type]
    case_page = await client.get(f"/casi/{discharge.case_id}")
    assert 'id="file-discharge"' in case_page.text and f'href="/casi/{discharge.case_id}/dimissione"' in case_page.text
    file = await client.get(f"/casi/{discharge.case_id}/dimissione")
    assert file.status_code == 200 and "Valutazione multidimensionale prenotata" in file.text
    assert "entro " in file.text and 'href="tel:0651001234"' in file.text
    moved = await client.post(f"/casi/{discharge.case_id}/dimissione/data", data={"expected_date": "ieri"})
    assert moved.status_code == 422 and "Nuova data di dimissione" in moved.text
    for milestone in list(Milestone)[1:]:
        r = await client.post(f"/casi/{discharge.case_id}/dimissione/tappa", data={"milestone": milestone.value})
        assert r.status_code == 303, (milestone, r.text)
    await session.refresh(discharge)
    assert discharge.state == DischargeState.COMPLETATA
    steps = (await session.exec(select(DischargeMilestone))).all()
    assert all(s.done_at is not None for s in steps)
    assert (await client.get("/board/dimissioni")).json()["data"] == []  # the lane empties


async def test_the_sentinels_are_told_the_day_with_the_alias_only(
    client: httpx.AsyncClient, session: AsyncSession, app: object
) -> None:
    w = await _world(session)
    hospital, pua, cm = w["hospital"], w["pua"], w["cm"]
    client.cookies.set(COOKIE_NAME, await f.token_for(session, pua))  # type: ignore[arg-type]
    r = await client.post("/dimissioni/nuova", data=notice(hospital.id, f.valid_cf(902), cm.id))  # type: ignore[attr-defined]
    assert r.status_code == 303
    discharge = (await session.exec(select(Discharge))).one()
    building = await f.condominio(session)
    person = await session.get(Person, discharge.person_id)
    assert person is not None
    await f.assisted(session, building, person, alias="B3")
    await f.sentinel(session, building, phone="+393330000777")
    sender = app.state.sms_sender  # type: ignore[attr-defined]
    assert isinstance(sender, ConsoleSmsSender)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, cm))  # type: ignore[arg-type]
    told = await client.post(f"/casi/{discharge.case_id}/dimissione/sentinelle")
    assert told.status_code == 303 and told.headers["location"].endswith("?avvisate=1")
    body = [m.body for m in sender.sent if m.to == "+393330000777"]
    day = f"{discharge.expected_date:%d/%m}"
    assert body == [f"Centrale del Municipio: rientro a casa di B3 previsto il {day}. Grazie per l'attenzione."]
    assert "Rossi" not in body[0] and "Medicina" not in body[0]


async def test_a_late_milestone_shows_late_on_the_lane_the_overdue_panel_and_the_file_and_the_date_moves(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await _world(session)
    hospital, pua, cm = w["hospital"], w["pua"], w["cm"]
    thursday = datetime(2027, 3, 4, 10, 0, tzinfo=ROME)
    with time_machine.travel(thursday, tick=True) as clock:
        client.cookies.set(COOKIE_NAME, await f.token_for(session, pua))  # type: ignore[arg-type]
        form = notice(hospital.id, f.valid_cf(904), cm.id, days=6)  # type: ignore[attr-defined]
        assert (await client.post("/dimissioni/nuova", data=form)).status_code == 303
        discharge = (await session.exec(select(Discharge))).one()
        clock.move_to(thursday + timedelta(days=1, hours=9))  # Friday 19:00: the booking was due at 18:00
        client.cookies.set(COOKIE_NAME, await f.token_for(session, pua))  # type: ignore[arg-type]
        answer = (await client.get("/board/dimissioni")).json()
        assert answer["data"][0]["next"]["late"] is True
        assert answer["data"][0]["next"]["due_words"] == "venerdì 5 marzo"
        assert [(m["milestone"], m["words"]) for m in answer["overdue"]] == [
            ("UVM_PRENOTATA", "Valutazione multidimensionale prenotata")
        ]
        english = (await client.get("/board/dimissioni", params={"lang": "en"})).json()
        assert english["overdue"][0]["words"] == "Multidimensional assessment booked"

        client.cookies.set(COOKIE_NAME, await f.token_for(session, cm))  # type: ignore[arg-type]
        file = await client.get(f"/casi/{discharge.case_id}/dimissione")
        assert "in ritardo" in file.text and "entro venerdì 5 marzo" in file.text
        before = {s.milestone: s.due_at for s in (await session.exec(select(DischargeMilestone))).all()}
        later = discharge.expected_date + timedelta(days=2)
        part = f"/casi/{discharge.case_id}/dimissione"
        moved = await client.post(f"{part}/data", data={"expected_date": later.isoformat()})
        assert moved.status_code == 303
        session.expire_all()
        after = {s.milestone: s.due_at for s in (await session.exec(select(DischargeMilestone))).all()}
        for milestone in (Milestone.UVM_SVOLTA, Milestone.PIANO_APPROVATO, Milestone.DIMISSIONE):
            assert after[milestone] - before[milestone] == timedelta(days=2), milestone
        assert after[Milestone.UVM_PRENOTATA] == before[Milestone.UVM_PRENOTATA]
        page = await client.get(part)
        assert "venerdì 12 marzo" in page.text  # the new date in words
