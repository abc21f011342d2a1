"""Twilio's voice webhooks: the key pressed on an escalation call, the call's outcome, and a sentinel's call
to the Centrale's number. Signed requests only (the SMS webhooks' check); every answer is TwiML in Italian
with codes and fixed words, never health details."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.datastructures import FormData

from alerts.escalation.calls import call_outcome
from alerts.flows import acknowledge_alert
from alerts.voice.flows import answer_call, attach_recording, called_operator, report_by_call, spoken_text
from centrale.audit.models import AuditAction
from centrale.errors import Conflict, DomainError
from centrale.uow import Tx
from integrations.twilio import voice
from web import container
from web.api.deps import SessionDep, flow_route
from web.api.twilio import _agent, _signed_form

router = APIRouter(prefix=voice.PREFIX, tags=["twilio"])

TWIML = "application/xml"
MAX_ID = 2**31 - 1
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'

NotificationQuery = Query(ge=1, le=MAX_ID, description="La notifica che la chiamata porta")
AttemptQuery = Query(default=1, ge=1, le=2, description="Primo o secondo ascolto del messaggio")


def _twiml(text: str) -> Response:
    return Response(content=text, media_type=TWIML)


def _required(form: FormData, *names: str) -> dict[str, str]:
    """The named parameters, or a 400 naming the missing ones."""
    values = {name: str(form.get(name) or "") for name in names}
    if missing := [name for name, value in values.items() if not value]:
        raise HTTPException(status_code=400, detail=f"Parametri mancanti / missing parameters: {', '.join(missing)}")
    return values


@router.post("/gather", response_class=Response, openapi_extra=flow_route("alert.acknowledge"))
async def call_key(
    request: Request, session: SessionDep, n: int = NotificationQuery, volta: int = AttemptQuery
) -> Response:
    """1 acknowledges the alert as the operator called; another key repeats the message once."""
    form = await _signed_form(request, "twilio.voice.gather")
    call_sid = _required(form, "CallSid")["CallSid"]
    settings = container.settings_of(request)
    if str(form.get("Digits") or "") != "1":
        said = await spoken_text(session, notification_id=n)  # the same words again, once
        if said is None or volta >= 2:
            return _twiml(voice.goodbye_twiml(voice.NO_INPUT))
        return _twiml(voice.alert_twiml(settings, notification_id=n, say=said, attempt=2))
    called = await called_operator(session, notification_id=n, call_sid=call_sid)
    if called is None:
        tx = Tx(session=session, db=container.database(request), agent=_agent(request))
        await tx.deny(
            AuditAction.UPDATE,
            "alert.acknowledge",
            entity_type="Notification",
            entity_id=n,
            person_id=None,
            reason="chiamata senza un operatore attivo a cui era diretta",
        )
        return _twiml(voice.goodbye_twiml(voice.ACK_REFUSED))
    tx = Tx(session=session, db=container.database(request), actor=called.actor)
    try:
        await acknowledge_alert(tx, alert_id=called.alert_id, sender=container.sms_sender(request))
    except Conflict:  # already acknowledged or closed: nothing changes, the caller is told so
        return _twiml(voice.goodbye_twiml(voice.ACK_ALREADY))
    except DomainError:  # not theirs to acknowledge: refused and audited by the flow
        return _twiml(voice.goodbye_twiml(voice.ACK_REFUSED))
    await tx.commit()
    return _twiml(voice.goodbye_twiml(voice.ACK_DONE))


@router.post("/status", response_class=Response, openapi_extra=flow_route("call.outcome"))
async def call_status(request: Request, n: int = NotificationQuery) -> Response:
    """A call's final state moves the escalation on (no answer, busy, failed); the progress before is ignored."""
    form = await _signed_form(request, "twilio.voice.status")
    params = _required(form, "CallSid", "CallStatus")
    outcome = voice.outcome_of(params["CallStatus"], str(form.get("AnsweredBy") or "") or None)
    if outcome is not None:
        await call_outcome(
            container.database(request), notification_id=n, outcome=outcome, provider_id=params["CallSid"]
        )
    return _twiml(EMPTY)


@router.post("/inbound", response_class=Response, openapi_extra=flow_route("voice.answer"))
async def inbound_call(request: Request, session: SessionDep, volta: int = AttemptQuery) -> Response:
    """Someone calls the Centrale's number: the menu (said twice at most)."""
    form = await _signed_form(request, "twilio.voice.inbound")
    call_sid = _required(form, "CallSid")["CallSid"]
    if volta == 1:
        tx = Tx(session=session, db=container.database(request), agent=_agent(request))
        await answer_call(tx, call_sid=call_sid)
        await tx.commit()
    return _twiml(voice.menu_twiml(container.settings_of(request), attempt=volta))


@router.post("/inbound/choice", response_class=Response, openapi_extra=flow_route("voice.report"))
async def inbound_choice(
    request: Request,
    session: SessionDep,
    volta: int = AttemptQuery,
    scelta: str | None = Query(default=None, max_length=1, description="La scelta quando nessun tasto è premuto"),
) -> Response:
    """The key chosen becomes a report, as an SMS from the same number would; then a message after the beep.
    An unknown key hears the menu again; the second time it counts as "altro"."""
    form = await _signed_form(request, "twilio.voice.choice")
    params = _required(form, "CallSid", "From")
    settings = container.settings_of(request)
    choice = str(form.get("Digits") or scelta or "")
    if choice not in ("1", "2", "3") and volta < 2:
        return _twiml(voice.menu_twiml(settings, attempt=2))
    tx = Tx(session=session, db=container.database(request), agent=_agent(request))
    await report_by_call(
        tx,
        call_sid=params["CallSid"],
        caller=params["From"],
        called=str(form.get("To") or "") or None,
        account_sid=str(form.get("AccountSid") or "") or None,
        choice=choice,
    )
    await tx.commit()
    return _twiml(voice.record_twiml(settings))


@router.post("/inbound/recording", response_class=Response, openapi_extra=flow_route("voice.recording"))
async def inbound_recording(request: Request, session: SessionDep) -> Response:
    """The message left after the beep: its URL joins the call's report; the caller hears thanks."""
    form = await _signed_form(request, "twilio.voice.recording")
    params = _required(form, "CallSid", "RecordingUrl")
    tx = Tx(session=session, db=container.database(request), agent=_agent(request))
    await attach_recording(
        tx,
        call_sid=params["CallSid"],
        recording_url=params["RecordingUrl"],
        duration=str(form.get("RecordingDuration") or "") or None,
    )
    await tx.commit()
    return _twiml(voice.goodbye_twiml(voice.THANKS))
