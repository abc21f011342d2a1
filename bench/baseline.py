"""The baseline: a bare FastAPI endpoint that checks the Twilio signature of the form and answers TwiML.

It does what every webhook must do before any work of ours (parse the form, validate the signature
against the public URL, build TwiML), served by the same uvicorn settings, so our ingest rate can be
given as a fraction of it. Run: ``uvicorn bench.baseline:create_app --factory``.
"""

from __future__ import annotations

import os

from fastapi import FastAPI, HTTPException, Request, Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse


def create_app() -> FastAPI:
    """The bare endpoint, signing token and public URL from the same env as the app's."""
    token = os.environ.get("TWILIO_AUTH_TOKEN") or os.environ["CENTRALE_SECRET_KEY"]
    public = os.environ.get("CENTRALE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    validator = RequestValidator(token)
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/integrations/twilio/sms")
    async def sms(request: Request) -> Response:
        form = await request.form()
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(public + request.url.path, form, signature):
            raise HTTPException(status_code=403, detail="invalid signature")
        reply = MessagingResponse()
        reply.message("Ricevuto.")
        return Response(content=str(reply), media_type="application/xml")

    return app
