"""Demo only: a sentinel simulator that posts properly signed webhooks to the app itself."""

from __future__ import annotations

import secrets
from typing import Annotated

import httpx
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse

from centrale.settings import Settings
from integrations.twilio.signature import public_url, sign, signing_token
from web import container
from web.pages.base import render

router = APIRouter(prefix="/demo/sentinella", include_in_schema=False)
WEBHOOK = "/integrations/twilio/sms"


def _development(request: Request) -> Settings:
    settings: Settings = container.settings_of(request)
    if settings.environment != "development":
        raise HTTPException(status_code=404)
    return settings


@router.get("", response_class=HTMLResponse)
async def simulator(request: Request) -> HTMLResponse:
    _development(request)
    return render(request, "simulator.html", sender="+393330000101", body="", reply=None)


@router.post("", response_class=HTMLResponse)
async def send(request: Request, sender: Annotated[str, Form()], body: Annotated[str, Form()]) -> HTMLResponse:
    """Post the SMS to the webhook exactly as Twilio would: signed over the public URL."""
    settings = _development(request)
    token = signing_token(settings)
    assert token is not None  # always set in development
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": settings.twilio_account_sid or "AC" + "0" * 32,
        "From": sender,
        "To": settings.twilio_from_number or "+390600000000",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    headers = {"X-Twilio-Signature": sign(token, public_url(settings, WEBHOOK), params)}
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as client:
        answer = await client.post(WEBHOOK, data=params, headers=headers)
    return render(request, "simulator.html", sender=sender, body=body, reply=f"{answer.status_code}: {answer.text}")
