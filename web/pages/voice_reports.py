"""Segnalazioni per telefono: the reports sentinels phoned in, and the message each left, to listen to.

A phoned report is an inbound message like an SMS (``alerts.voice.flows``), so it is shown under the SMS
log's one rule (``web.pages.smslog._about``): about an alert it follows the alert, about a person the
person, about nobody (an unknown number, in quarantine) the district. The audio stays at Twilio; the page
plays it through this app, which checks that rule, records the listening in the audit log, and fetches
it with the account's credentials, so no operator needs them and no link works outside the app.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import col, select

from alerts.sms.models import InboundSms
from centrale.audit.models import AuditAction, AuditPurpose
from centrale.audit.service import build_event, record_now
from centrale.auth.actor import Actor
from centrale.clock import to_rome
from centrale.settings import Settings
from web import container
from web.api.deps import SessionDep
from web.i18n import lang_of, translator
from web.pages import nav
from web.pages.base import page_actor, render
from web.pages.history import audit_view, refuse
from web.pages.smslog import SMS_ROLES, _about
from web.words import voice as _words  # noqa: F401 - registers the page's words

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SOURCE = "voce"  # how alerts.voice.flows stores a phoned report
FETCH_SECONDS = 20.0
#: the transport of the fetch from Twilio (tests put a fake one here)
transport: httpx.AsyncBaseTransport | None = None

nav.add("/chiamate", "nav_voice_reports", roles=set(SMS_ROLES), order=28)


def _visible(actor: Actor) -> Any:
    m = InboundSms
    return (
        select(  # type: ignore[call-overload]
            col(m.id),
            col(m.received_at),
            func.coalesce(col(m.sender_phone), col(m.from_number)),
            col(m.state),
            col(m.alert_id),
            col(m.person_id),
            col(m.params),
        )
        .where(col(m.source) == SOURCE, _about(actor, col(m.alert_id), col(m.person_id), col(m.condominio_id)))
        .order_by(col(m.received_at).desc(), col(m.id).desc())
    )


def _row(found: Any) -> dict[str, Any]:
    sms_id, at, number, state, alert_id, person_id, params = found
    params = params or {}
    return {
        "id": sms_id,
        "at": at,
        "number": number,
        "state": f"lsms_{state}",
        "alert_id": alert_id,
        "person_id": person_id,
        "choice": f"vc_choice_{params.get('Scelta') or '3'}",
        "recorded": bool(params.get("RecordingUrl")),
        "url": params.get("RecordingUrl"),
    }


@router.get("/chiamate", response_class=HTMLResponse)
async def voice_reports_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/chiamate", status_code=303)
    if actor.role not in SMS_ROLES:
        return await refuse(request, actor, subtype="voice.reports.page", entity_type="SegnalazioniVocali")
    rows = [_row(found) for found in (await session.exec(_visible(actor).limit(PAGE_SIZE))).all()]
    await audit_view(
        session,
        actor,
        subtype="voice.reports.page",
        entity_type="SegnalazioniVocali",
        reference="/chiamate",
        shown=len(rows),
        persons=(row["person_id"] for row in rows),
    )
    return render(request, "voice/reports.html", actor=actor, rows=rows, rome=to_rome)


def _allowed(settings: Settings, url: str | None) -> bool:
    """Only a recording of this account at Twilio's API: the stored URL is never fetched blindly."""
    prefix = f"https://api.twilio.com/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/"
    return bool(url and settings.twilio_account_sid and settings.twilio_auth_token and url.startswith(prefix))


async def _fetch(settings: Settings, url: str) -> bytes | None:
    auth = (settings.twilio_account_sid or "", settings.twilio_auth_token or "")
    try:
        async with httpx.AsyncClient(transport=transport, timeout=FETCH_SECONDS) as client:
            answer = await client.get(f"{url}.mp3", auth=auth)
    except httpx.HTTPError:
        return None
    return answer.content if answer.status_code == 200 else None


async def _listened(request: Request, actor: Actor, row: dict[str, Any]) -> None:
    await record_now(
        container.database(request).sessionmaker,
        build_event(
            agent=actor.agent(),
            action=AuditAction.READ,
            subtype="voice.recording.listen",
            entity_type="InboundSms",
            entity_id=row["id"],
            person_id=row["person_id"],
            purpose=AuditPurpose.ETREAT,
        ),
    )


@router.get("/chiamate/{sms_id}/messaggio")
async def voice_message(request: Request, session: SessionDep, sms_id: int) -> Response:
    """The message left after the beep, as audio, for whoever may see the report; every listening audited."""
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/chiamate", status_code=303)
    found = None
    if actor.role in SMS_ROLES and 0 < sms_id < 2**31:
        found = (await session.exec(_visible(actor).where(col(InboundSms.id) == sms_id))).first()
    if found is None:  # not theirs, or no such report: the same refusal, audited
        return await refuse(request, actor, subtype="voice.recording.listen", entity_type="InboundSms")
    row = _row(found)
    settings = container.settings_of(request)
    unavailable = PlainTextResponse(translator(lang_of(request))("vc_unavailable"), status_code=404)
    if not _allowed(settings, row["url"]):
        return unavailable
    await _listened(request, actor, row)
    audio = await _fetch(settings, row["url"])
    if audio is None:
        unavailable.status_code = 502
        return unavailable
    return Response(content=audio, media_type="audio/mpeg", headers={"Cache-Control": "no-store"})
