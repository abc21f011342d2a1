"""The page of reports by phone: the Centrale of the municipio sees them in words and listens to the message
through the app (audited); anyone the report does not concern is refused, audited, and hears nothing."""

from __future__ import annotations

import base64

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.sms.models import InboundSms
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.integrations.conftest import ACCOUNT, TOKEN, post_signed
from tests.integrations.twilio.test_voice_router import CHOICE, RECORDING, RECORDING_URL, SENTINEL_PHONE, caller
from web.api.deps import COOKIE_NAME
from web.pages import voice_reports

AUDIO = b"ID3\x04fake-mp3"


@pytest.fixture
def twilio_media(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Twilio's media API, faked: the recording as MP3 to the account's credentials only."""
    seen: list[httpx.Request] = []
    expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if str(request.url) != RECORDING_URL + ".mp3" or request.headers.get("authorization") != expected:
            return httpx.Response(401)
        return httpx.Response(200, content=AUDIO, headers={"content-type": "audio/mpeg"})

    monkeypatch.setattr(voice_reports, "transport", httpx.MockTransport(answer))
    return seen


async def _phoned_report(client: httpx.AsyncClient, session: AsyncSession) -> int:
    org = await f.org(session)
    cond = await f.condominio(session)
    await f.assisted(session, cond, await f.person(session, org))
    await f.sentinel(session, cond, phone=SENTINEL_PHONE)
    await post_signed(client, f"{CHOICE}?volta=1", caller() | {"Digits": "2"})
    await post_signed(client, RECORDING, caller() | {"RecordingUrl": RECORDING_URL, "RecordingDuration": "9"})
    return org.id or 0


async def test_the_centrale_sees_the_report_in_words_and_listens_through_the_app(
    client: httpx.AsyncClient, session: AsyncSession, twilio_media: list[httpx.Request]
):
    await _phoned_report(client, session)
    coordinator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    page = await client.get("/chiamate")
    assert page.status_code == 200, page.text
    assert "Una persona ha bisogno di aiuto" in page.text and "Smistato" in page.text
    assert "Chiamata vocale" not in page.text  # the choice in words, not the stored text
    audio_src = page.text.split('<audio controls preload="none" src="', 1)[1].split('"', 1)[0]
    assert RECORDING_URL not in page.text and ACCOUNT not in page.text  # Twilio's link never reaches the page
    heard = await client.get(audio_src)
    assert heard.status_code == 200 and heard.content == AUDIO
    assert heard.headers["content-type"] == "audio/mpeg" and heard.headers["cache-control"] == "no-store"
    listened = await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "voice.recording.listen"))
    assert [(row.agent_operator_id, row.outcome) for row in listened] == [(coordinator.id, AuditOutcome.SUCCESS)]
    english = await client.get("/chiamate?lang=en")
    assert "Someone needs help" in english.text


async def test_those_the_report_does_not_concern_are_refused_and_hear_nothing(
    client: httpx.AsyncClient, session: AsyncSession, twilio_media: list[httpx.Request]
):
    await _phoned_report(client, session)
    elsewhere = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE, municipio="VII"))
    tutor = await f.operator(session, Role.TUTOR, await f.org(session))
    for who in (elsewhere, tutor):
        client.cookies.set(COOKIE_NAME, await f.token_for(session, who))
        report_id = (await session.exec(select(InboundSms.id))).one()
        heard = await client.get(f"/chiamate/{report_id}/messaggio")
        assert heard.status_code == 403, who.role
        assert heard.headers["content-type"].startswith("text/html") and AUDIO not in heard.content
    page = await client.get("/chiamate")  # the tutor's role has no such page
    assert page.status_code == 403
    client.cookies.set(COOKIE_NAME, await f.token_for(session, elsewhere))
    page = await client.get("/chiamate")
    assert page.status_code == 200 and "Nessuna segnalazione per telefono" in page.text
    assert twilio_media == []
    refused = await session.exec(select(AuditEvent).where(col(AuditEvent.outcome) == AuditOutcome.DENIED))
    assert sorted(row.subtype for row in refused) == [
        "voice.recording.listen",
        "voice.recording.listen",
        "voice.reports.page",
    ]
