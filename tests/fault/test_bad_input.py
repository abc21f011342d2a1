"""Bad input at scale against a running instance: the OpenAPI surface and the SMS webhook never answer 5xx."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bench.common import AUTH_TOKEN, PUBLIC_URL
from bench.loadgen import PATH, twilio_params
from bench.procs import Server
from bench.seed import count_rows, prepare
from centrale.demo import DEMO_PASSWORD
from tests.fault.conftest import app_env

pytestmark = pytest.mark.fault

SIGNED_URL = PUBLIC_URL + PATH


@dataclass
class Live:
    server: Server
    database_url: str
    token: str


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One instance on a fresh SQLite file with the demo district, and a coordinator's bearer token."""
    root = tmp_path_factory.mktemp("bad-input")
    url = f"sqlite+aiosqlite:///{root / 'fuzz.sqlite3'}"
    asyncio.run(prepare(url, sentinels=10))
    # A fully configured instance: a missing pseudonym key is a deliberate 503, not what the fuzzers look for.
    env = app_env(url) | {
        "CENTRALE_PSEUDONYM_KEY": "fuzz-only-key-" + "x" * 24,
        "CENTRALE_PUBLIC_DOCS": "true",  # the fuzzer reads the schema (production hides it by default)
    }
    server = Server("web.app:create_app", env, log=root / "app.log").start()
    try:
        login = httpx.post(
            server.url + "/api/v1/auth/login", json={"username": "coordinatore", "password": DEMO_PASSWORD}
        )
        assert login.status_code == 200, login.text
        yield Live(server, url, login.json()["access_token"])
    finally:
        server.stop()


def test_openapi_surface_answers_no_5xx_to_generated_requests(live: Live, tmp_path: Path) -> None:
    """Schemathesis over every operation of /openapi.json, signed in; bounded examples per operation."""
    cli = Path(sys.executable).with_name("schemathesis")
    args = [str(cli), "run", live.server.url + "/openapi.json", "--checks", "not_a_server_error"]
    args += ["-H", f"Authorization: Bearer {live.token}", "--max-examples", "10", "--workers", "2"]
    args += ["--phases", "examples,fuzzing", "--request-timeout", "20", "--no-color"]
    # signing out would end the session the rest of the run needs
    args += ["--exclude-path", "/api/v1/auth/logout", "--report-dir", str(tmp_path)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    counted = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert counted and int(counted.group(1)) > 100 and counted.group(1) == counted.group(2), done.stdout[-3000:]


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200)
_forms = st.dictionaries(st.sampled_from(["MessageSid", "From", "To", "Body", "AccountSid", "NumMedia"]) | _text, _text)


def _post(live: Live, body: bytes, headers: dict[bytes, bytes]) -> httpx.Response:
    return httpx.post(live.server.url + PATH, content=body, headers=headers, timeout=20)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(form=_forms, body=_text, sid=st.text(min_size=0, max_size=40), sender=_text)
def test_signed_sms_fuzz_never_answers_5xx(live: Live, form: dict[str, str], body: str, sid: str, sender: str) -> None:
    """Any signed form (odd senders, empty or huge bodies, missing fields, unicode) gets 2xx or 4xx."""
    params = {**twilio_params(sid=sid, sender=sender, to="+390600000000", body=body, account="AC0"), **form}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(SIGNED_URL, params)
    headers: dict[bytes, bytes] = {
        b"Content-Type": b"application/x-www-form-urlencoded",
        b"X-Twilio-Signature": signature.encode(),
    }
    answer = _post(live, urlencode(params).encode(), headers)
    assert answer.status_code < 500, (answer.status_code, answer.text[:500])


# what can travel in a header: visible ASCII and Latin-1 (a client cannot send control characters)
_header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_categories=["Cc"]), max_size=80)
_bad_signatures = (
    st.none() | _header_text | st.just(RequestValidator("not-the-token").compute_signature(SIGNED_URL, {}))
)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    raw=st.binary(max_size=2000) | _forms.map(lambda f: urlencode(f).encode()),
    signature=_bad_signatures,
    content_type=st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain", ""]),
)
def test_unsigned_sms_fuzz_is_refused_and_stores_nothing(
    live: Live, raw: bytes, signature: str | None, content_type: str
) -> None:
    """Bad or missing signature, any body: 4xx, and no message or event is written."""
    headers: dict[bytes, bytes] = {b"Content-Type": content_type.encode()} if content_type else {}
    if signature is not None:
        headers[b"X-Twilio-Signature"] = signature.strip().encode("latin-1")  # h11 refuses edge spaces
    before = asyncio.run(count_rows(live.database_url, "inbound_sms"))
    events = asyncio.run(count_rows(live.database_url, "event"))
    answer = _post(live, raw, headers)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:500])
    assert asyncio.run(count_rows(live.database_url, "inbound_sms")) == before
    assert asyncio.run(count_rows(live.database_url, "event")) == events
