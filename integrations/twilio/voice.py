"""Voice calls through Twilio: the adapter of ``VoiceCaller`` and the TwiML every call hears.

An escalation call reads the alert's number and level in Italian and asks for 1 ("presa visione"); the
key press and the call's outcome come back through the signed webhooks of ``web.api.twilio_voice``. A
sentinel who calls the Centrale hears a short menu and may leave a message. Only codes and fixed words are
ever spoken: a call may be heard by anyone near the phone, so it never carries health details.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from centrale.ports import CallResult, OutgoingCall, VoiceCaller
from centrale.settings import Settings
from integrations.console_voice import ConsoleVoiceCaller
from integrations.twilio.sender import twilio_client
from integrations.twilio.signature import public_url

log = logging.getLogger(__name__)

PREFIX = "/integrations/twilio/voice"
GATHER = PREFIX + "/gather"  # the key pressed during an escalation call
STATUS = PREFIX + "/status"  # the escalation call's progress and outcome
INBOUND = PREFIX + "/inbound"  # someone calls the Centrale's number
CHOICE = INBOUND + "/choice"  # the key of the caller's menu
RECORDING = INBOUND + "/recording"  # the caller's message, recorded by Twilio

LANGUAGE = "it-IT"
GATHER_SECONDS = 8
RING_SECONDS = 30  # then Twilio gives up: "no-answer", and the escalation moves on
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
RECORD_SECONDS = 120

PRESS_ONE = "Premi 1 per prendere visione."
ACK_DONE = "Presa visione registrata. Grazie, arrivederci."
ACK_ALREADY = "L'allerta è già stata presa in visione. Grazie, arrivederci."
ACK_REFUSED = "Non è stato possibile registrare la presa visione. Apri la bacheca della Centrale. Arrivederci."
NO_INPUT = "Nessun tasto premuto. La Centrale proverà un altro recapito. Arrivederci."
MENU = (
    "Centrale operativa. Premi 1 se una persona non risponde o non apre la porta, "
    "2 se ha bisogno di aiuto, 3 per altro."
)
LEAVE_MESSAGE = "Grazie. Lascia un messaggio dopo il segnale, poi premi cancelletto."
THANKS = "Segnalazione ricevuta. Grazie, arrivederci."
# Twilio's final call states and the outcome the escalation understands
FINAL_STATES = {
    "completed": "answered",
    "busy": "busy",
    "no-answer": "no-answer",
    "failed": "failed",
    "canceled": "canceled",
}


def _say(node: Any, text: str) -> None:
    node.say(text, language=LANGUAGE)


def alert_twiml(settings: Settings, *, notification_id: int, say: str, attempt: int = 1) -> str:
    """Read ``say`` and wait for a key; without one, a polite goodbye (the status callback reports it)."""
    response = VoiceResponse()
    action = public_url(settings, GATHER, f"n={notification_id}&volta={attempt}")
    gather = response.gather(num_digits=1, action=action, method="POST", timeout=GATHER_SECONDS)
    _say(gather, say)
    if "premi 1" not in say.lower():
        _say(gather, PRESS_ONE)
    _say(response, NO_INPUT)
    response.hangup()
    return str(response)


def goodbye_twiml(text: str) -> str:
    """Say ``text`` and hang up."""
    response = VoiceResponse()
    _say(response, text)
    response.hangup()
    return str(response)


def menu_twiml(settings: Settings, *, attempt: int = 1) -> str:
    """The caller's menu; no key at all counts as "altro" after the second try, so a message can still be left."""
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, action=public_url(settings, CHOICE, f"volta={attempt}"), method="POST", timeout=GATHER_SECONDS
    )
    _say(gather, MENU)
    if attempt < 2:
        response.redirect(public_url(settings, INBOUND, "volta=2"), method="POST")
    else:
        response.redirect(public_url(settings, CHOICE, "volta=2&scelta=3"), method="POST")
    return str(response)


def record_twiml(settings: Settings) -> str:
    """After the choice: a message after the beep, its URL reported to ``RECORDING`` (the audio stays at Twilio)."""
    response = VoiceResponse()
    _say(response, LEAVE_MESSAGE)
    url = public_url(settings, RECORDING)
    response.record(
        action=url,
        method="POST",
        max_length=RECORD_SECONDS,
        play_beep=True,
        finish_on_key="#",
        timeout=5,
        recording_status_callback=url,
        recording_status_callback_method="POST",
    )
    _say(response, THANKS)
    response.hangup()
    return str(response)


def outcome_of(call_status: str, answered_by: str | None) -> str | None:
    """The escalation's outcome of a final call state; None while the call is still going on. An answering
    machine is no answer: nobody heard the alert."""
    outcome = FINAL_STATES.get(call_status)
    if outcome == "answered" and (answered_by or "").startswith(("machine", "fax")):
        return "no-answer"
    return outcome


class TwilioVoiceCaller:
    """Places calls through Twilio's REST API, once: a call placed twice rings twice, so a failure is reported
    (retryable when Twilio said so) and the escalation decides what comes next."""

    def __init__(self, *, client: Client, settings: Settings) -> None:
        number = settings.twilio_voice_number or settings.twilio_from_number
        if not number:
            raise ValueError("TWILIO_VOICE_NUMBER o TWILIO_FROM_NUMBER necessario")
        self._client = client
        self._settings = settings
        self._from = number

    def create_kwargs(self, call: OutgoingCall) -> dict[str, Any]:
        return {
            "to": call.to,
            "from_": self._from,
            "twiml": alert_twiml(self._settings, notification_id=call.notification_id, say=call.say),
            "status_callback": public_url(self._settings, STATUS, f"n={call.notification_id}"),
            "status_callback_event": STATUS_EVENTS,
            "status_callback_method": "POST",
            "machine_detection": "Enable",
            "timeout": RING_SECONDS,
        }

    async def call(self, call: OutgoingCall) -> CallResult:
        try:
            placed = await asyncio.to_thread(self._client.calls.create, **self.create_kwargs(call))
        except TwilioRestException as exc:
            error = f"Twilio {exc.status}: {exc.code}"
            log.warning("chiamata non avviata, chiave %s: %s", call.key, error)
            return CallResult(
                provider_id=None, status="failed", error=error, retryable=exc.status >= 500 or exc.status == 429
            )
        except Exception as exc:  # the transport: the call may or may not exist, never placed again from here
            error = type(exc).__name__
            log.warning("chiamata non avviata, chiave %s: %s", call.key, error)
            return CallResult(provider_id=None, status="failed", error=error, retryable=False)
        return CallResult(provider_id=str(placed.sid), status=str(placed.status or "queued"))


def make_voice_caller(settings: Settings, *, http_client: Any = None) -> VoiceCaller:
    """Twilio when ``CENTRALE_VOICE_BACKEND=twilio``, else the console transport (the embedded default)."""
    if settings.voice_backend == "twilio":
        return TwilioVoiceCaller(client=twilio_client(settings, http_client), settings=settings)
    return ConsoleVoiceCaller()
