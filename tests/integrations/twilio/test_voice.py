"""The Twilio voice adapter: the call's request, Italian TwiML with codes only, failures reported once."""

from __future__ import annotations

import json
import logging
from xml.etree import ElementTree

import pytest
import requests
from twilio.http.response import Response

from alerts.escalation.texts import voice_text
from alerts.models import Alert, AlertSource, Severity
from centrale.ports import OutgoingCall
from centrale.settings import Settings
from integrations.console_voice import ConsoleVoiceCaller
from integrations.twilio.sender import twilio_client
from integrations.twilio.voice import TwilioVoiceCaller, make_voice_caller, outcome_of
from tests.integrations.fake_twilio import FakeTwilioHttp, error_response

NUMBER = "+393330000101"
HEALTH_WORDS = ("caduta", "diabete", "demenza", "ricovero", "farmac", "Rossi")


def _created(sid: str = "CA" + "1" * 32) -> Response:
    body = {"sid": sid, "status": "queued", "to": NUMBER, "from": "+390699999999", "account_sid": "AC" + "0" * 32}
    return Response(201, json.dumps(body))


# what the alert's record says stays in the record: the call says the number and the priority
ALERT = Alert(id=123, source=AlertSource.SEGNALAZIONE_SENTINELLA, severity=Severity.ALTA, summary="Caduta, diabete")


def _call() -> OutgoingCall:
    return OutgoingCall(to=NUMBER, say=voice_text(ALERT), key="7.1.0.operator:4.VOCE", notification_id=7, alert_id=123)


def _caller(settings: Settings, http: FakeTwilioHttp) -> TwilioVoiceCaller:
    return TwilioVoiceCaller(client=twilio_client(settings, http), settings=settings)


async def test_the_call_reads_the_alert_in_italian_and_asks_for_1_with_signed_callbacks(settings: Settings):
    http = FakeTwilioHttp(script=[_created()])
    result = await _caller(settings, http).call(_call())
    assert (result.provider_id, result.status) == ("CA" + "1" * 32, "queued")
    [request] = http.requests
    assert request.method == "POST" and request.uri.endswith("/Calls.json")
    data = request.data or {}
    assert (data["To"], data["From"]) == (NUMBER, "+390699999999")
    assert data["StatusCallback"] == "https://centrale.example.org/integrations/twilio/voice/status?n=7"
    assert set(data["StatusCallbackEvent"]) == {"initiated", "ringing", "answered", "completed"}
    assert data["MachineDetection"] == "Enable"
    twiml = ElementTree.fromstring(data["Twiml"])  # noqa: S314 (our own TwiML, as the fake received it)
    gather = twiml.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    assert gather.get("action") == "https://centrale.example.org/integrations/twilio/voice/gather?n=7&volta=1"
    said = [say.text or "" for say in twiml.iter("Say")]
    assert all(say.get("language") == "it-IT" for say in twiml.iter("Say"))
    assert said[0] == voice_text(ALERT) and "123" in said[0] and "alta" in said[0]
    assert said[0].endswith("Premi 1 per prendere visione.") and len(said) == 2  # asked once, not twice
    assert said[-1].endswith("Arrivederci.")  # nothing pressed: a polite goodbye
    assert not any(word.lower() in data["Twiml"].lower() for word in HEALTH_WORDS)


async def test_a_voice_number_of_its_own_is_the_caller_id(settings: Settings):
    http = FakeTwilioHttp(script=[_created()])
    own = settings.model_copy(update={"twilio_voice_number": "+390611111111"})
    await _caller(own, http).call(_call())
    assert (http.requests[0].data or {})["From"] == "+390611111111"


@pytest.mark.parametrize(
    ("answer", "retryable"),
    [(error_response(503, 20503, "down"), True), (error_response(400, 21217, "bad number"), False)],
)
async def test_a_refused_call_is_reported_once_retryable_only_when_twilio_says_so(
    settings: Settings, answer: Response, retryable: bool
):
    http = FakeTwilioHttp(script=[answer])
    result = await _caller(settings, http).call(_call())
    assert (result.status, result.provider_id, result.retryable) == ("failed", None, retryable)
    assert len(http.requests) == 1  # never placed twice from here: a second call would ring twice


async def test_a_timeout_is_a_definite_failure_not_a_second_call(settings: Settings):
    http = FakeTwilioHttp(script=[requests.exceptions.ReadTimeout("slow")])
    result = await _caller(settings, http).call(_call())
    assert (result.status, result.retryable) == ("failed", False)
    assert len(http.requests) == 1


def test_final_states_and_answering_machines_become_the_escalation_outcomes():
    assert outcome_of("no-answer", None) == "no-answer"
    assert outcome_of("busy", None) == "busy"
    assert outcome_of("failed", None) == "failed"
    assert outcome_of("canceled", None) == "canceled"
    assert outcome_of("completed", "human") == "answered"
    assert outcome_of("completed", "machine_end_beep") == "no-answer"  # nobody heard it
    assert outcome_of("ringing", None) is None and outcome_of("in-progress", "human") is None


async def test_the_embedded_default_is_the_console_which_logs_no_words(
    settings: Settings, caplog: pytest.LogCaptureFixture
):
    caller = make_voice_caller(settings)
    assert isinstance(caller, ConsoleVoiceCaller)
    with caplog.at_level(logging.INFO, logger="centrale.voice.console"):
        result = await caller.call(_call())
    assert result.status == "queued" and caller.placed == [_call()]
    lines = [r.getMessage() for r in caplog.records if r.name == "centrale.voice.console"]
    assert lines == ["chiamata (console) a +39333***, notifica 7"]  # neither the words nor the whole number
    twilio = make_voice_caller(settings.model_copy(update={"voice_backend": "twilio"}))
    assert isinstance(twilio, TwilioVoiceCaller)


def test_twilio_calls_need_the_account_and_a_number():
    with pytest.raises(ValueError, match="VOICE_BACKEND"):
        Settings(environment="test", voice_backend="twilio")
