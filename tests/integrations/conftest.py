"""Twilio as the app sees it: a public https URL behind a proxy, signed webhooks, a fake REST API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

from centrale.db import Database
from centrale.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "12345678901234567890123456789012"
ACCOUNT = "AC0123456789abcdef0123456789abcdef"
PUBLIC = "https://centrale.example.org"


def fixture(name: str) -> dict[str, str]:
    """A full parameter set as Twilio sends it (tests/integrations/fixtures/<name>.json)."""
    data: dict[str, str] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def signed_headers(url: str, params: Any, token: str = TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, params)}


async def post_signed(
    client: httpx.AsyncClient,
    path: str,
    params: dict[str, str],
    *,
    signed_url: str | None = None,
    token: str = TOKEN,
) -> httpx.Response:
    """POST a form the way Twilio does: signed over the public URL it was configured with."""
    url = signed_url or PUBLIC + path
    return await client.post(path, data=params, headers=signed_headers(url, params, token))


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        environment="test",
        database_url=database.url,
        public_url=PUBLIC,
        scheduler_enabled=False,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
        twilio_from_number="+390699999999",
    )
