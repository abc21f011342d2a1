"""Pages of the personalised plan: the editor saves a version, the team approves it, the beneficiary signs."""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime

import httpx
import time_machine
from pypdf import PdfReader
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import to_rome
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.plans.catalogue import seed_catalogue
from centrale.plans.models import Intervention, Plan, PlanStatus
from centrale.tasks.models import Task
from tests import factories as f
from tests.centrale.test_cases import open_case
from web.api.deps import COOKIE_NAME


async def _person_id(session: AsyncSession, office: Organisation) -> int:
    person = await f.person(session, office)
    assert person.id is not None
    return person.id


async def test_a_plan_from_the_editor_to_active(client: httpx.AsyncClient, session: AsyncSession):
    await seed_catalogue(session)
    await commit(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    case = await open_case(client, token, await _person_id(session, municipio))
    client.cookies.set(COOKIE_NAME, token)

    editor = await client.get(f"/casi/{case['id']}/progetto")
    assert editor.status_code == 200 and 'id="plan-form"' in editor.text
    form = {
        "start_date": "2024-03-01",
        "isee": "18750",
        "goal_term_0": "BREVE",
        "goal_0": "Spesa settimanale garantita",
        "service_0": "A2.07",
        "provider_0": str(municipio.id),
        "repeat_0": "SETTIMANALE",
        "day_0": ["MO", "TH"],
        "at_0": "10:00",
        "hours_0": "20",
    }
    r = await client.post(f"/casi/{case['id']}/progetto", data=form | {"day_0": []})
    assert r.status_code == 422 and "Giorni (intervento 1): scegliere almeno un giorno" in r.text
    assert 'id="plan-form"' in r.text
    assert (await session.exec(select(Plan))).all() == []

    r = await client.post(f"/casi/{case['id']}/progetto", data=form)
    assert r.status_code == 303
    plan = (await session.exec(select(Plan))).one()
    assert r.headers["location"] == f"/progetti/{plan.id}"
    cost = (await session.exec(select(col(Intervention.cost)).where(col(Intervention.plan_id) == plan.id))).one()
    assert str(cost) == "276.00"

    r = await client.post(f"/progetti/{plan.id}/firma", data={"signed_by": "M"})
    assert r.status_code == 422 and "Chi firma: indicare chi firma" in r.text
    r = await client.post(f"/progetti/{plan.id}/approva", follow_redirects=True)
    assert 'data-status="BOZZA">In bozza<' in r.text
    assert "lunedì e giovedì alle 10" in r.text and "FREQ=" not in r.text
    r = await client.post(f"/progetti/{plan.id}/approva")
    assert r.status_code == 409 and "già approvato" in r.text  # said on the plan's page
    r = await client.post(f"/progetti/{plan.id}/firma", data={"signed_by": "Maria Bianchi"}, follow_redirects=True)
    assert 'data-status="ATTIVO">Attivo<' in r.text
    status = (await session.exec(select(col(Plan.status)).where(col(Plan.id) == plan.id))).one()
    assert status == PlanStatus.ATTIVO


async def test_a_stranger_is_told_in_a_sentence(client: httpx.AsyncClient, session: AsyncSession):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    token = await f.token_for(session, await f.operator(session, Role.CASE_MANAGER, municipio))
    case = await open_case(client, token, await _person_id(session, municipio))
    stranger = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO, municipio="I"))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, stranger))
    for url in (f"/casi/{case['id']}/progetto", "/progetti/999"):
        r = await client.get(url)
        assert r.headers["content-type"].startswith("text/html") and 'id="refusal"' in r.text
    assert (await client.get(f"/casi/{case['id']}/progetto")).status_code == 403
    assert (await client.get("/progetti/999")).status_code == 404
    denied = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.agent_operator_id) == stranger.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
        )
    )
    assert [e.subtype for e in denied.all()] == ["plan.editor", "plan.editor"]


async def _team_plan(client: httpx.AsyncClient, session: AsyncSession):  # type: ignore[no-untyped-def]
    """A case of a municipio with a cooperative and its tutor on the team, and the tokens of each."""
    await seed_catalogue(session)
    await commit(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    coop = await f.org(session, OrgKind.ETS)
    manager = await f.operator(session, Role.CASE_MANAGER, municipio)
    ets = await f.operator(session, Role.OPERATORE_ETS, coop)
    tutor = await f.operator(session, Role.TUTOR, coop)
    tokens = {name: await f.token_for(session, op) for name, op in (("cm", manager), ("ets", ets), ("tutor", tutor))}
    person = await f.person(session, municipio)
    case = await open_case(client, tokens["cm"], person.id or 0)
    for who, role in ((ets, "OPERATORE_ETS"), (tutor, "TUTOR")):
        r = await client.post(
            f"/api/v1/cases/{case['id']}/team",
            headers=f.bearer(tokens["cm"]),
            json={"organisation_id": coop.id, "operator_id": who.id, "role": role},
        )
        assert r.status_code == 201, r.text
    return case, person, coop, tutor, tokens


async def test_a_weekly_visit_by_a_named_tutor_becomes_tasks_when_the_plan_is_signed(
    client: httpx.AsyncClient, session: AsyncSession
):
    with time_machine.travel(datetime(2027, 4, 28, 8, 0, tzinfo=UTC), tick=False):  # a Wednesday
        case, person, coop, tutor, tokens = await _team_plan(client, session)
        client.cookies.set(COOKIE_NAME, tokens["cm"])
        editor = await client.get(f"/casi/{case['id']}/progetto")
        assert f'data-org="{coop.id}"' in editor.text and tutor.full_name in editor.text

        preview = await client.get(
            "/progetti/quando", params={"repeat": "SETTIMANALE", "day": "TU", "at": "10:00", "start": "2027-05-01"}
        )
        assert preview.json() == {
            "words": "ogni martedì alle 10",
            "dates": [f"martedì {d} maggio 2027 alle 10:00" for d in (4, 11, 18, 25)],
        }
        form = {
            "start_date": "2027-05-01",
            "isee": "18.750",
            "goal_term_0": "BREVE",
            "goal_0": "Una visita ogni settimana",
            "service_0": "A2.07",
            "provider_0": str(coop.id),
            "operator_0": str(tutor.id),
            "repeat_0": "SETTIMANALE",
            "day_0": "TU",
            "at_0": "10:00",
            "hours_0": "8",
        }
        r = await client.post(f"/casi/{case['id']}/progetto", data=form)
        assert r.status_code == 303, r.text
        plan_url = r.headers["location"]
        page = html.unescape((await client.get(plan_url)).text)
        assert "ogni martedì alle 10" in page and "martedì 4 maggio 2027 alle 10:00" in page
        assert "110,40 €" in page and "32,00 €" in page and "78,40 €" in page  # 8 h × €13,80; €4,00/h from ISEE
        assert "l'approvazione di" in page and coop.name in page and "la firma del beneficiario" in page
        assert 'id="approve"' in page  # the municipio is on the team: its approval is missing too

        client.cookies.set(COOKIE_NAME, tokens["tutor"])
        page = (await client.get(plan_url)).text
        assert 'id="approve"' not in page and 'id="sign"' not in page  # a tutor approves nothing, signs nothing
        client.cookies.set(COOKIE_NAME, tokens["ets"])
        page = (await client.get(plan_url)).text
        assert 'id="approve"' in page
        assert (await client.post(f"{plan_url}/approva")).status_code == 303

        client.cookies.set(COOKIE_NAME, tokens["cm"])
        assert (await client.post(f"{plan_url}/approva")).status_code == 303
        assert 'id="approve"' not in (await client.get(plan_url)).text  # approved: not offered again
        assert (await session.exec(select(Task))).all() == []  # not active before the signature
        assert (await client.post(f"{plan_url}/firma", data={"signed_by": "Maria Bianchi"})).status_code == 303
        # the tutor's tasks exist as soon as the plan is active, not at the next plan pass
        tasks = (await session.exec(select(Task).order_by(col(Task.due_start)))).all()
        assert [(t.assignee_id, to_rome(t.due_start).strftime("%a %d %H:%M")) for t in tasks] == [
            (tutor.id, "Tue 04 10:00"),
            (tutor.id, "Tue 11 10:00"),
        ]
        client.cookies.set(COOKIE_NAME, tokens["tutor"])
        phone = (await client.get("/attivita")).text
        assert tasks[0].code in phone  # the phone page shows the coming week

        client.cookies.set(COOKIE_NAME, tokens["cm"])
        contract = html.unescape((await client.get(f"{plan_url}/contratto")).text)
        for words in (
            f"{person.cognome} {person.nome}",
            "Assistenza domiciliare socio-assistenziale",
            f"{coop.name} — {tutor.full_name}",
            "ogni martedì alle 10",
            "110,40 €",
            "78,40 €",
            "32,00 €",
            "Una visita ogni settimana",
            "Firmato da Maria Bianchi",
            "versione 1",
        ):
            assert words in contract, words
        pdf = await client.get(f"{plan_url}/contratto.pdf")
        assert pdf.headers["content-type"] == "application/pdf" and "attachment" in pdf.headers["content-disposition"]
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        for words in (
            f"{person.cognome} {person.nome}",
            "Assistenza domiciliare socio-assistenziale",
            "ogni martedì alle 10",
            "Costo mensile: 110,40 €",
            "Quota Ente: 78,40 €",
            "Quota Utente: 32,00 €",
            "Firmato da Maria Bianchi",
        ):
            assert words in text, words


async def test_the_draft_opens_in_the_editor_with_its_schedule_in_the_controls(
    client: httpx.AsyncClient, session: AsyncSession
):
    case, _, coop, tutor, tokens = await _team_plan(client, session)
    client.cookies.set(COOKIE_NAME, tokens["cm"])
    form = {
        "start_date": "2027-05-01",
        "service_0": "A2.07",
        "provider_0": str(coop.id),
        "operator_0": str(tutor.id),
        "repeat_0": "SETTIMANALE",
        "day_0": ["MO", "WE", "FR"],
        "at_0": "9:00",
        "hours_0": "8",
    }
    plan_url = (await client.post(f"/casi/{case['id']}/progetto", data=form)).headers["location"]
    r = await client.get(f"/casi/{case['id']}/progetto")  # a draft exists: the editor opens it
    assert r.status_code == 303 and r.headers["location"] == f"{plan_url}/modifica"
    editor = (await client.get(f"{plan_url}/modifica")).text
    for day in ("MO", "WE", "FR"):
        assert f'name="day_0" value="{day}" checked' in editor
    assert (
        'name="at_0" class="at" value="09:00"' in editor
        and f'value="{tutor.id}" data-org="{coop.id}" selected' in editor
    )

    r = await client.post(f"{plan_url}/modifica", data=form | {"repeat_0": "GIORNALIERA", "at_0": "16:00"})
    assert r.status_code == 303
    page = html.unescape((await client.get(plan_url)).text)
    assert "tutti i giorni alle 16" in page
    assert len((await session.exec(select(Plan))).all()) == 1  # the same version, edited
