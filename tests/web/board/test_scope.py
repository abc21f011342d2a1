"""Scoping: each board socket receives only events about what its operator may see."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import AlertSource, Severity
from alerts.raising import raise_alert
from centrale.db import Database
from centrale.events.service import commit
from tests import factories as f
from tests.web.board.helpers import board_connect, commit_events, events_until_quiet, receive, serving, two_tutors


async def test_tutor_never_receives_events_about_people_outside_their_cases(
    app: FastAPI, database: Database, session: AsyncSession
):
    people = await two_tutors(session)
    tutor, coordinator, followed, stranger = people.tutor, people.coordinator, people.followed, people.stranger
    mine, theirs, other_tutor = people.mine, people.theirs, people.other_tutor
    assert tutor.id and other_tutor.id and followed.id and stranger.id and theirs.id and mine.id

    async def report(person_id: int | None, condominio_id: int, summary: str) -> int:
        async with database.sessionmaker() as s:
            raised = await raise_alert(
                s,
                source=AlertSource.SEGNALAZIONE_SENTINELLA,
                severity=Severity.ALTA,
                summary=summary,
                person_id=person_id,
                condominio_id=condominio_id,
            )
            await commit(s)
            assert raised.alert.id is not None
            return raised.alert.id

    earlier_stranger_alert = await report(stranger.id, theirs.id, "Non risponde al citofono")
    earlier_own_alert = await report(followed.id, mine.id, "Caduta in casa")

    async with serving(app) as address:
        tutor_token = await f.token_for(session, tutor)
        coordinator_token = await f.token_for(session, coordinator)
        async with (
            board_connect(address, tutor_token) as tutor_ws,
            board_connect(address, coordinator_token) as coordinator_ws,
        ):
            tutor_snapshot = await receive(tutor_ws)
            assert [a["id"] for a in tutor_snapshot["alerts"]] == [earlier_own_alert]
            coordinator_snapshot = await receive(coordinator_ws)
            assert {a["id"] for a in coordinator_snapshot["alerts"]} == {
                earlier_stranger_alert,
                earlier_own_alert,
            }

            stranger_alert = await report(stranger.id, theirs.id, "Chiede aiuto per la spesa")
            own_alert = await report(followed.id, mine.id, "Ha bisogno di farmaci")
            building = await report(None, theirs.id, "Guasto all'ascensore")
            await commit_events(database.sessionmaker, 1, recipient=other_tutor.id, kind="notification.personal")
            await commit_events(database.sessionmaker, 1, recipient=tutor.id, kind="notification.personal")

            tutor_events = await events_until_quiet(tutor_ws, 1.0)
            coordinator_events = await events_until_quiet(coordinator_ws, 0.5)

    about = [(e["kind"], e["payload"].get("alert_id")) for e in tutor_events]
    assert ("alert.joined", own_alert) in about or ("alert.opened", own_alert) in about
    assert all(e["alert"] is None or e["alert"]["person_id"] == followed.id for e in tutor_events)
    assert not any(e["payload"].get("alert_id") in (stranger_alert, building) for e in tutor_events)
    personal = [e for e in tutor_events if e["personal"]]
    assert len(personal) == 1 and personal[0]["kind"] == "notification.personal"
    # the district sees the stranger's alert and the building, and nobody's personal channel
    coordinator_alerts = {e["payload"].get("alert_id") for e in coordinator_events}
    assert {stranger_alert, own_alert, building} <= coordinator_alerts
    assert not any(e["personal"] for e in coordinator_events)
