"""Demo only: a sentinel simulator that posts properly signed webhooks to the app itself."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse

from centrale.settings import Settings
from integrations.twilio.flows import send_simulated_sms
from web import container
from web.api.deps import flow_route
from web.pages.base import render

router = APIRouter(prefix="/demo/sentinella", include_in_schema=False)


def _development(request: Request) -> Settings:
    settings: Settings = container.settings_of(request)
    if settings.environment != "development":
        raise HTTPException(status_code=404)
    return settings


@router.get("", response_class=HTMLResponse)
async def simulator(request: Request) -> HTMLResponse:
    _development(request)
    return render(request, "simulator.html", sender="+393330000101", body="", reply=None)


@router.post("", response_class=HTMLResponse, openapi_extra=flow_route("simulator.send"))
async def send(request: Request, sender: Annotated[str, Form()], body: Annotated[str, Form()]) -> HTMLResponse:
    """Post the SMS to the webhook exactly as Twilio would: signed over the public URL."""
    settings = _development(request)
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as client:
        reply = await send_simulated_sms(client, settings=settings, sender=sender, body=body)
    return render(request, "simulator.html", sender=sender, body=body, reply=reply)
