"""History of closed alerts, search and SMS log: each operator sees only what the need-to-know policy lets
them see, every showing is an audit row listing the people shown, and a role that may not open a page
gets an Italian 403 page and a refused audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertOutcome, AlertSource, AlertState, Channel, DeliveryState, Notification, Severity
from alerts.sms.models import InboundSms, InboundState
from centrale.audit.models import AuditEvent, AuditEventPerson, AuditOutcome
from centrale.clock import utcnow
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from tests import factories as f
from web.api.deps import COOKIE_NAME


@dataclass
class District:
    coordinator: Operator
    far_coordinator: Operator  # the Centrale of another municipio
    tutor: Operator
    analyst: Operator
    followed: Person  # in the tutor's building
    other: Person  # in a building the tutor does not follow
    followed_alert: int
    other_alert: int
    building_alert: int
    open_alert: int


async def _alert(session: AsyncSession, **values: object) -> Alert:
    now = utcnow()
    row = Alert(
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=Severity.ALTA,
        opened_at=now - timedelta(hours=3),
        **values,  # type: ignore[arg-type]
    )
    session.add(row)
    await commit(session)
    return row


async def district(session: AsyncSession) -> District:
    centrale = await f.org(session, OrgKind.CENTRALE)
    elsewhere = await f.org(session, OrgKind.CENTRALE, municipio="I")
    coop = await f.org(session, OrgKind.ETS)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    far = await f.operator(session, Role.COORDINATORE, elsewhere)
    tutor = await f.operator(session, Role.TUTOR, coop)
    analyst = await f.operator(session, Role.ANALISTA, centrale)
    mine = await f.condominio(session, tutor)
    theirs = await f.condominio(session)
    followed = await f.person(session, municipio, cognome="Seguita")
    other = await f.person(session, municipio, cognome="Altrui")
    await f.assisted(session, mine, followed)
    await f.assisted(session, theirs, other)
    now = utcnow()
    closed = {"resolved_at": now - timedelta(hours=1)}
    a = await _alert(
        session,
        summary="Non apre la porta",
        person_id=followed.id,
        condominio_id=mine.id,
        state=AlertState.RISOLTA,
        outcome=AlertOutcome.FALSO_ALLARME,
        **closed,
    )
    b = await _alert(
        session,
        summary="Caduta in casa",
        person_id=other.id,
        condominio_id=theirs.id,
        state=AlertState.ANNULLATA,
        **closed,
    )
    c = await _alert(
        session,
        summary="Tre segnalazioni nel condominio",
        condominio_id=theirs.id,
        building_level=True,
        state=AlertState.RISOLTA,
        outcome=AlertOutcome.INTERVENTO_ATTIVATO,
        **closed,
    )
    d = await _alert(session, summary="Ancora aperta", person_id=followed.id, condominio_id=mine.id)
    assert a.id and b.id and c.id and d.id
    return District(coordinator, far, tutor, analyst, followed, other, a.id, b.id, c.id, d.id)


async def _sign_in(client: httpx.AsyncClient, session: AsyncSession, who: Operator) -> None:
    client.cookies.set(COOKIE_NAME, await f.token_for(session, who))


async def _rows(session: AsyncSession, subtype: str, operator: Operator) -> list[AuditEvent]:
    found = await session.exec(
        select(AuditEvent).where(col(AuditEvent.subtype) == subtype, col(AuditEvent.agent_operator_id) == operator.id)
    )
    return list(found.all())


async def _covered(session: AsyncSession, row: AuditEvent) -> set[int]:
    found = await session.exec(
        select(col(AuditEventPerson.person_id)).where(col(AuditEventPerson.audit_event_id) == row.id)
    )
    return set(found.all())


def _alert_ids(html: str) -> set[int]:
    return {int(part.split('"', 1)[0]) for part in html.split('data-alert-id="')[1:]}


async def test_the_history_shows_each_operator_only_the_closed_alerts_they_may_see(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    d = await district(session)
    await _messages(session, d)
    await _sign_in(client, session, d.tutor)
    r = await client.get("/storico")
    assert r.status_code == 200 and "Allerte chiuse" in r.text
    assert "La signora del 3B non apre la porta" in r.text  # the words of the report that opened it
    assert _alert_ids(r.text) == {d.followed_alert}  # not the other building's, nor an open one
    assert "Falso allarme" in r.text and "FALSO_ALLARME" not in r.text.split("<table", 1)[1].split("</table>")[0]
    [row] = await _rows(session, "history.page", d.tutor)
    assert row.outcome == AuditOutcome.SUCCESS and await _covered(session, row) == {d.followed.id}

    await _sign_in(client, session, d.coordinator)
    r = await client.get("/storico")
    assert _alert_ids(r.text) == {d.followed_alert, d.other_alert, d.building_alert}
    [row] = await _rows(session, "history.page", d.coordinator)
    assert await _covered(session, row) == {d.followed.id, d.other.id}
    # filters: outcome, person, building, period
    assert _alert_ids((await client.get("/storico", params={"esito": "INTERVENTO_ATTIVATO"})).text) == {
        d.building_alert
    }
    assert _alert_ids((await client.get("/storico", params={"persona": "altr"})).text) == {d.other_alert}
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()
    assert _alert_ids((await client.get("/storico", params={"al": yesterday})).text) == set()
    bad = await client.get("/storico", params={"dal": "31/02/2026"})
    assert bad.status_code == 422 and "Data non valida" in bad.text

    await _sign_in(client, session, d.far_coordinator)  # another municipio's Centrale
    assert _alert_ids((await client.get("/storico")).text) == set()


async def test_search_finds_only_persons_and_alerts_the_operator_may_see(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    d = await district(session)
    await _sign_in(client, session, d.tutor)
    page = await client.get("/storico")
    assert 'action="/cerca"' in page.text  # the header's search box
    r = await client.get("/cerca", params={"q": "altrui"})
    assert r.status_code == 200 and "Nessuna persona trovata" in r.text and _alert_ids(r.text) == set()
    r = await client.get("/cerca", params={"q": "seguita"})
    assert f'data-person-id="{d.followed.id}"' in r.text
    r = await client.get("/cerca", params={"q": "porta"})
    assert _alert_ids(r.text) == {d.followed_alert}
    rows = await _rows(session, "search.page", d.tutor)
    assert len(rows) == 3
    assert set().union(*[await _covered(session, row) for row in rows]) == {d.followed.id}

    await _sign_in(client, session, d.coordinator)
    r = await client.get("/cerca", params={"q": str(d.other_alert)})
    assert _alert_ids(r.text) == {d.other_alert}
    r = await client.get("/cerca", params={"q": "a"})
    assert "almeno 2 caratteri" in r.text


async def _messages(session: AsyncSession, d: District) -> None:
    now = utcnow()
    session.add_all(
        [
            InboundSms(
                message_sid="SM1",
                from_number="+393330000101",
                sender_phone="+393330000101",
                body="La signora del 3B non apre la porta",
                receipt_code="R1",
                reply="Grazie, segnalazione R1 ricevuta",
                state=InboundState.SMISTATO,
                person_id=d.followed.id,
                alert_id=d.followed_alert,
                received_at=now - timedelta(minutes=50),
            ),
            InboundSms(
                message_sid="SM2",
                from_number="+393339999999",
                sender_phone="+393339999999",
                body="sta male il vicino",
                receipt_code="R2",
                state=InboundState.QUARANTENA,
                received_at=now - timedelta(minutes=40),
            ),
            Notification(
                alert_id=d.other_alert,
                escalation_round=1,
                step_index=0,
                recipient="operator:1",
                channel=Channel.SMS,
                role="TUTOR",
                state=DeliveryState.INVIATA,
                to_phone="+393330000211",
                body="Centrale: allerta n. 2, rispondi OK 2",
                provider_id="console-abc-1",
                created_at=now - timedelta(minutes=30),
            ),
        ]
    )
    await commit(session)


async def test_the_sms_log_shows_messages_in_and_out_under_the_policy(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    d = await district(session)
    await _messages(session, d)
    await _sign_in(client, session, d.coordinator)
    r = await client.get("/sms")
    assert r.status_code == 200
    body = r.text.split("<tbody>", 1)[1]
    assert "non apre la porta" in body and "sta male il vicino" in body and "rispondi OK 2" in body
    assert "In quarantena" in body and "QUARANTENA" not in body and "Avviso di allerta" in body
    assert "Grazie, segnalazione R1 ricevuta" in body  # the automatic reply, beside what it answered
    assert body.index("rispondi OK 2") < body.index("sta male") < body.index("non apre")  # newest first
    [row] = await _rows(session, "smslog.page", d.coordinator)
    assert await _covered(session, row) == {d.followed.id, d.other.id}
    only_in = (await client.get("/sms", params={"direzione": "in"})).text.split("<tbody>", 1)[1]
    assert "rispondi OK 2" not in only_in and "non apre" in only_in
    for typed in ("333 999 9999", "+393339999999", "99999"):  # whole (as typed, or E.164) or a part
        by_number = (await client.get("/sms", params={"numero": typed})).text.split("<tbody>", 1)[1]
        assert "sta male" in by_number and "non apre" not in by_number, typed
    by_alert = (await client.get("/sms", params={"allerta": str(d.followed_alert)})).text
    assert "non apre" in by_alert and "sta male" not in by_alert

    await _sign_in(client, session, d.far_coordinator)  # another municipio: none of this district's messages
    body = (await client.get("/sms")).text.split("<tbody>", 1)[1]
    assert "non apre" not in body and "rispondi OK 2" not in body
    assert "sta male" in body  # an unknown number's, in quarantine: any district reviews the queue


@pytest.mark.parametrize("path", ["/storico", "/cerca?q=seguita", "/sms"])
async def test_a_role_without_need_to_know_is_refused_in_words_and_audited(
    client: httpx.AsyncClient, session: AsyncSession, path: str
) -> None:
    d = await district(session)
    await _sign_in(client, session, d.analyst)
    r = await client.get(path)
    assert r.status_code == 403 and "Il tuo ruolo non consulta" in r.text
    assert "seguita" not in r.text.lower().split("<main", 1)[1]
    refused = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.agent_operator_id) == d.analyst.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
        )
    )
    assert len(refused.all()) == 1
    client.cookies.clear()
    anonymous = await client.get(path)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


async def test_a_tutor_may_not_read_the_sms_log(client: httpx.AsyncClient, session: AsyncSession) -> None:
    d = await district(session)
    await _sign_in(client, session, d.tutor)
    assert (await client.get("/sms")).status_code == 403
    nav = (await client.get("/storico")).text
    assert 'href="/sms"' not in nav and 'href="/storico"' in nav
