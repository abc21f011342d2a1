"""The demo's sentinel simulator: an SMS posted to the app's own webhook exactly as Twilio would post it."""

from __future__ import annotations

import secrets

import httpx

from centrale.flows import flow
from centrale.settings import Settings
from integrations.twilio.signature import public_url, sign, signing_token

WEBHOOK = "/integrations/twilio/sms"


@flow("simulator.send", guarded=False)  # development only: no person's data, the webhook does the work
async def send_simulated_sms(client: httpx.AsyncClient, *, settings: Settings, sender: str, body: str) -> str:
    """Post the SMS to the webhook through ``client``, signed over the public URL; returns the answer."""
    token = signing_token(settings)
    assert token is not None  # always set in development, the only place the simulator answers
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
    answer = await client.post(WEBHOOK, data=params, headers=headers)
    return f"{answer.status_code}: {answer.text}"
