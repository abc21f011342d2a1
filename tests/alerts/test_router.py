"""The alerts API: scoped lists and reads (audited), actions over the service, 403/409/422 answers."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertSource, AlertState, Channel, Notification, Severity
from alerts.raising import raise_alert
from alerts.service import retrigger
from alerts.sms.feedback import FEEDBACK_STEP
from alerts.sms.flows import receive_sms
from centrale.audit.models import AuditAction, AuditEvent, AuditOutcome
from centrale.clock import utcnow
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.alerts.escalation.helpers import District, district
from tests.alerts.sms.test_triage import sms

A = "/api/v1/alerts"


@dataclass
class World:
    d: District
    person_alert: int
    building_alert: int
    far_alert: int  # about a person in another municipio: hidden from this district's operators
    headers: dict[Role, dict[str, str]]
    outsider: Operator


async def _raise(session: AsyncSession, **fields: object) -> int:
    raised = await raise_alert(session, summary="Prova", **fields)  # type: ignore[arg-type]
    await commit(session)
    assert raised.alert.id is not None
    return raised.alert.id


@pytest.fixture
async def world(session: AsyncSession) -> World:
    d = await district(session)
    far_org = await f.org(session, OrgKind.MUNICIPIO, municipio="I")
    far = await f.person(session, far_org, municipio="I")
    person_alert = await _raise(
        session, source=AlertSource.CHECKIN_MANCATO, severity=Severity.ALTA, person_id=d.person.id
    )
    building_alert = await _raise(
        session,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=Severity.URGENTE,
        condominio_id=d.condominio.id,
        dedupe_key="prova:condominio",
    )
    far_alert = await _raise(session, source=AlertSource.OPERATORE, severity=Severity.MEDIA, person_id=far.id)
    ets = await f.org(session, OrgKind.ETS)
    outsider = await f.operator(session, Role.OPERATORE_ETS, ets)
    analyst = await f.operator(session, Role.ANALISTA, await f.org(session, OrgKind.CENTRALE))
    headers = {
        Role.TUTOR: f.bearer(await f.token_for(session, d.tutor)),
        Role.COORDINATORE: f.bearer(await f.token_for(session, d.coordinatore)),
        Role.OPERATORE_PUA: f.bearer(await f.token_for(session, d.pua)),
        Role.OPERATORE_ETS: f.bearer(await f.token_for(session, outsider)),
        Role.ANALISTA: f.bearer(await f.token_for(session, analyst)),
    }
    return World(d, person_alert, building_alert, far_alert, headers, outsider)


def _ids(response: httpx.Response) -> set[int]:
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()["data"]}


async def _audits(session: AsyncSession, operator_id: int | None, outcome: AuditOutcome) -> list[AuditEvent]:
    rows = await session.exec(
        select(AuditEvent).where(col(AuditEvent.agent_operator_id) == operator_id, col(AuditEvent.outcome) == outcome)
    )
    return list(rows.all())


async def test_each_operator_lists_only_the_alerts_they_need_to_know(
    client: httpx.AsyncClient, world: World, session: AsyncSession
) -> None:
    w = world
    # the coordinator sees the district's person and every building alert, not the far municipio's person
    assert _ids(await client.get(A, headers=w.headers[Role.COORDINATORE])) == {w.person_alert, w.building_alert}
    # the tutor follows the condominio: its person and its building alert
    assert _ids(await client.get(A, headers=w.headers[Role.TUTOR])) == {w.person_alert, w.building_alert}
    # the PUA sees building-level alerts, not a person it has no relation with
    assert _ids(await client.get(A, headers=w.headers[Role.OPERATORE_PUA])) == {w.building_alert}
    assert _ids(await client.get(A, headers=w.headers[Role.OPERATORE_ETS])) == set()
    assert _ids(await client.get(A, headers=w.headers[Role.ANALISTA])) == set()
    # each person-linked alert shown is an audited read of that person's data
    reads = await _audits(session, w.d.tutor.id, AuditOutcome.SUCCESS)
    assert {(r.subtype, r.person_id) for r in reads} >= {("alert.list", w.d.person.id)}


async def test_filters_and_paging(client: httpx.AsyncClient, world: World) -> None:
    w, h = world, world.headers[Role.COORDINATORE]
    assert _ids(await client.get(A, params={"severity": "URGENTE"}, headers=h)) == {w.building_alert}
    assert _ids(await client.get(A, params={"source": "CHECKIN_MANCATO"}, headers=h)) == {w.person_alert}
    assert _ids(await client.get(A, params={"person_id": w.d.person.id}, headers=h)) == {w.person_alert}
    assert _ids(await client.get(A, params={"condominio_id": w.d.condominio.id}, headers=h)) == {w.building_alert}
    assert _ids(await client.get(A, params={"municipio": "IX"}, headers=h)) == {w.person_alert, w.building_alert}
    assert _ids(await client.get(A, params={"municipio": "I"}, headers=h)) == set()
    page = await client.get(A, params={"limit": 1, "state": ["NUOVA", "PRESA_VISIONE"]}, headers=h)
    assert page.json()["count"] == 2 and len(page.json()["data"]) == 1
    bad = await client.get(A, params={"severity": "ALTISSIMA"}, headers=h)
    assert bad.status_code == 422 and "severity" in bad.json()["message"]


async def test_read_with_timeline_is_audited_and_refusal_is_audited(
    client: httpx.AsyncClient, world: World, session: AsyncSession
) -> None:
    w = world
    got = await client.get(f"{A}/{w.person_alert}", headers=w.headers[Role.TUTOR])
    assert got.status_code == 200
    kinds = [e["kind"] for e in got.json()["timeline"]]
    assert kinds[:2] == ["APERTA", "SEGNALAZIONE"]
    reads = await _audits(session, w.d.tutor.id, AuditOutcome.SUCCESS)
    assert any(r.subtype == "alert.read" and r.person_id == w.d.person.id for r in reads)

    refused = await client.get(f"{A}/{w.far_alert}", headers=w.headers[Role.TUTOR])
    assert refused.status_code == 403
    denied = await _audits(session, w.d.tutor.id, AuditOutcome.DENIED)
    assert [(d.subtype, d.entity_id) for d in denied] == [("alert.read", str(w.far_alert))]
    assert (await client.get(f"{A}/999999", headers=w.headers[Role.TUTOR])).status_code == 404


async def _state(session: AsyncSession, alert_id: int) -> AlertState:
    alert = (
        await session.exec(select(Alert).where(col(Alert.id) == alert_id).execution_options(populate_existing=True))
    ).one()
    return alert.state


async def _notify(session: AsyncSession, alert_id: int, operator: Operator) -> None:
    """The escalation's first step reached ``operator`` about the alert."""
    assert operator.id is not None
    session.add(
        Notification(
            alert_id=alert_id,
            escalation_round=1,
            step_index=0,
            recipient=f"operator:{operator.id}",
            recipient_operator_id=operator.id,
            channel=Channel.PERSONALE,
            role=operator.role.value,
            body="x",
        )
    )
    await commit(session)


async def test_acknowledge_assign_comment_resolve_emit_events_and_409_names_allowed_actions(
    client: httpx.AsyncClient, world: World, session: AsyncSession
) -> None:
    w, h = world, world.headers[Role.TUTOR]
    url = f"{A}/{w.person_alert}"
    # the tutor sees the alert, but acknowledging stops the escalation: only once it has called on them
    early = await client.post(f"{url}/acknowledge", headers=h)
    assert early.status_code == 403 and await _state(session, w.person_alert) == AlertState.NUOVA
    await _notify(session, w.person_alert, w.d.tutor)
    ack = await client.post(f"{url}/acknowledge", headers=h)
    assert ack.status_code == 200 and ack.json()["state"] == "PRESA_VISIONE"
    again = await client.post(f"{url}/acknowledge", headers=h)
    assert again.status_code == 409 and "resolve" in again.json()["detail"]
    assigned = await client.post(f"{url}/assign", json={"assignee_id": w.d.coordinatore.id}, headers=h)
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == w.d.coordinatore.id
    # the PUA operator has no relation with this person: not a valid assignee
    refused = await client.post(f"{url}/assign", json={"assignee_id": w.d.pua.id}, headers=h)
    assert refused.status_code == 422 and "assignee_id" in refused.json()["detail"]
    taken = await client.post(f"{url}/assign", json={}, headers=h)  # no assignee: the tutor takes it
    assert taken.status_code == 200 and taken.json()["assigned_to"] == w.d.tutor.id
    commented = await client.post(f"{url}/comments", json={"text": "Passo io alle 18"}, headers=h)
    assert commented.status_code == 201
    missing = await client.post(f"{url}/resolve", json={"note": "fatto"}, headers=h)
    assert missing.status_code == 422 and "outcome" in missing.json()["message"]
    resolved = await client.post(f"{url}/resolve", json={"outcome": "RISOLTA_SUL_POSTO"}, headers=h)
    assert resolved.status_code == 200 and resolved.json()["outcome"] == "RISOLTA_SUL_POSTO"
    late = await client.post(f"{url}/cancel", json={}, headers=h)
    assert late.status_code == 409
    assert "comment" in late.json()["detail"] and "RISOLTA" in late.json()["detail"]

    kinds = (
        await session.exec(
            select(col(Event.kind)).where(col(Event.entity_id) == str(w.person_alert)).order_by(col(Event.seq))
        )
    ).all()
    assert kinds == [
        "alert.opened",
        "alert.acknowledged",
        "alert.assigned",
        "alert.assigned",
        "alert.commented",
        "alert.resolved",
    ]
    timeline = (await client.get(f"{url}/timeline", headers=h)).json()
    assert [e["kind"] for e in timeline][-5:] == ["PRESA_VISIONE", "ASSEGNATA", "ASSEGNATA", "COMMENTO", "RISOLTA"]


async def test_cancel_the_building_alert(client: httpx.AsyncClient, world: World, session: AsyncSession) -> None:
    url = f"{A}/{world.building_alert}/cancel"
    done = await client.post(url, json={"note": "doppione"}, headers=world.headers[Role.OPERATORE_PUA])
    assert done.status_code == 200 and done.json()["state"] == "ANNULLATA"


async def test_a_refused_action_changes_nothing_and_is_audited(
    client: httpx.AsyncClient, world: World, session: AsyncSession
) -> None:
    w = world
    # the analyst may not see it; the tutor sees the far alert? no: both refused, audited, unchanged
    for role, alert_id in ((Role.ANALISTA, w.person_alert), (Role.TUTOR, w.far_alert)):
        answer = await client.post(f"{A}/{alert_id}/acknowledge", headers=w.headers[role])
        assert answer.status_code == 403
        assert await _state(session, alert_id) == AlertState.NUOVA
    denied = await _audits(session, w.d.tutor.id, AuditOutcome.DENIED)
    assert [(d.subtype, d.action) for d in denied] == [("alert.acknowledge", AuditAction.UPDATE)]


async def test_acknowledging_a_sentinel_report_tells_the_sentinel_once(
    app: object, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    d = await district(session)
    await f.sentinel(session, d.condominio, phone="+393330000777")
    message = await receive_sms(session, params=sms("la signora non risponde", "+393330000777"))
    await commit(session)
    assert message.alert_id is not None
    sender = app.state.sms_sender  # type: ignore[attr-defined]
    sender.sent.clear()
    h = f.bearer(await f.token_for(session, d.coordinatore))
    assert (await client.post(f"{A}/{message.alert_id}/acknowledge", headers=h)).status_code == 200
    texts = [m.body for m in sender.sent if m.to == "+393330000777"]
    assert texts == [f"La segnalazione {message.receipt_code} è stata presa in carico dalla Centrale. Grazie."]
    # re-triggered and acknowledged again: the sentinel is not told twice
    alert = (await session.exec(select(Alert).where(col(Alert.id) == message.alert_id))).one()
    await retrigger(session, alert=alert, now=utcnow())
    await commit(session)
    assert (await client.post(f"{A}/{message.alert_id}/acknowledge", headers=h)).status_code == 200
    assert len([m for m in sender.sent if m.to == "+393330000777"]) == 1
    recorded = (
        await session.exec(
            select(Notification).where(
                col(Notification.alert_id) == message.alert_id, col(Notification.step_index) == FEEDBACK_STEP
            )
        )
    ).all()
    assert [(n.channel, n.state) for n in recorded] == [(Channel.SMS, "INVIATA")]
