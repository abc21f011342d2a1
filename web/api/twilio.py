"""Twilio's webhooks: inbound SMS and delivery status. Signed requests only; no REST call in here."""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, Response
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData, UploadFile
from twilio.twiml.messaging_response import MessagingResponse

from alerts.sms.flows import missing_params
from alerts.sms.status import record_delivery_status
from centrale.audit.models import AuditAction, AuditOutcome, AuditPurpose
from centrale.audit.service import Agent, build_event, record_now
from centrale.uow import Tx
from integrations.twilio.signature import is_signed
from web import container
from web.api.deps import client_address, flow_route

router = APIRouter(prefix="/integrations/twilio", tags=["twilio"])

log = logging.getLogger(__name__)

TWIML = "application/xml"
RETRY = "Conflitto temporaneo, riprovare / temporary conflict, retry"
STATUS_REQUIRED = ("MessageSid", "MessageStatus")


def _agent(request: Request) -> Agent:
    """Who acts when Twilio calls: no operator, the address it called from."""
    return Agent(
        operator_id=None, name="webhook Twilio", role=None, org_id=None, source_address=client_address(request)
    )


async def _signed_form(request: Request, subtype: str) -> FormData:
    """The posted form if Twilio signed it; otherwise an audited 403 and nothing else happens."""
    form = await _form(request)
    if not is_signed(
        container.settings_of(request),
        path=request.url.path,
        query=request.url.query,
        params=form,
        headers=request.headers,
    ):
        await record_now(
            container.database(request).sessionmaker,
            build_event(
                agent=_agent(request),
                action=AuditAction.EXECUTE,
                subtype=subtype,
                entity_type="TwilioWebhook",
                entity_id=None,
                person_id=None,
                outcome=AuditOutcome.DENIED,
                purpose=AuditPurpose.HOPERAT,
                outcome_desc="firma X-Twilio-Signature assente o non valida",
            ),
        )
        raise HTTPException(status_code=403, detail="Firma non valida / invalid signature")
    return form


MAX_FIELDS = 1000  # as Starlette's own form parser


async def _form(request: Request) -> FormData:
    """Twilio posts URL-encoded forms: parsed with the standard library, a quarter of the generic parser's cost
    on the hot path; anything else goes through Starlette's parser."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return await request.form()
    body = await request.body()
    try:
        pairs: list[tuple[str, str | UploadFile]] = list(
            parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise HTTPException(status_code=400, detail="Modulo non leggibile / unreadable form") from error
    return FormData(pairs)


def _params(form: FormData) -> dict[str, str]:
    return {key: str(value) for key, value in form.items()}


def _all_params(form: FormData) -> dict[str, Any]:
    """Every parameter as sent, lists where Twilio repeated one."""
    return {key: [str(v) for v in vals] if len(vals := form.getlist(key)) > 1 else str(vals[0]) for key in form}


def _missing(names: list[str]) -> HTTPException:
    return HTTPException(status_code=400, detail=f"Parametri mancanti / missing parameters: {', '.join(names)}")


@router.post("/sms", response_class=Response, openapi_extra=flow_route("sms.receive"))
async def inbound_sms(request: Request) -> Response:
    """Store the SMS once, triage it, answer TwiML with a receipt code."""
    form = await _signed_form(request, "twilio.sms")
    params = _params(form)
    if missing := missing_params(params):
        raise _missing(missing)
    # stored and triaged before the answer; messages arriving together share a transaction (alerts.sms.batch)
    try:
        message = await container.inbound(request).receive(params=params, raw=_all_params(form))
    except IntegrityError as error:  # a clash with a concurrent change: Twilio retries a 5xx, not a 409
        log.warning("inbound SMS clashed with a concurrent change (%s); asking Twilio to retry", type(error).__name__)
        raise HTTPException(status_code=503, detail=RETRY, headers={"Retry-After": "1"}) from error
    container.metrics(request).received(message.state)
    return Response(content=_twiml(message.reply or ""), media_type=TWIML)


@functools.lru_cache(maxsize=64)  # most answers are one of a few fixed texts (a check-in's thanks)
def _twiml(text: str) -> str:
    """The TwiML that answers with ``text`` (nothing for an empty text)."""
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return str(reply)


@router.post("/status", response_class=Response, openapi_extra=flow_route("sms.status"))
async def delivery_status(request: Request) -> Response:
    """Move a sent SMS's delivery state forward; failures are recorded for the escalation. With Redis the
    callback is only queued (durably, before the answer) and applied in batches, so a campaign's flood of
    callbacks never holds up the inbound SMS webhook (integrations/twilio/status_queue.py)."""
    form = await _signed_form(request, "twilio.status")
    params = _params(form)
    if missing := [name for name in STATUS_REQUIRED if not params.get(name)]:
        raise _missing(missing)
    queue = container.status_queue(request)
    if queue is not None:
        try:
            await queue.put(params)
        except RedisError as error:  # not held: Twilio retries a 5xx
            log.warning("status callback not queued (%s); asking Twilio to retry", type(error).__name__)
            raise HTTPException(status_code=503, detail=RETRY, headers={"Retry-After": "1"}) from error
    else:
        async with Tx.open(container.database(request), agent=_agent(request)) as tx:
            await record_delivery_status(
                tx,
                provider_id=params["MessageSid"],
                status=params["MessageStatus"],
                to_number=params.get("To"),
                error_code=params.get("ErrorCode") or None,
            )
            await tx.commit()
    container.metrics(request).delivery_status(params["MessageStatus"])
    return Response(content=_EMPTY, media_type=TWIML)


_EMPTY = str(MessagingResponse())
