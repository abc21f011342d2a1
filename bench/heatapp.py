"""The app factory of the heat-wave scenario's instances: the real app, its Twilio client pointed at the local
fake (``CENTRALE_BENCH_TWILIO_URL``) by an HTTP client that rewrites Twilio's host. Bench only."""

from __future__ import annotations

import os
from typing import Any

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

import web.app
from centrale.settings import Settings

TWILIO = "https://api.twilio.com"


class LocalTwilio(TwilioHttpClient):
    """Sends what the twilio library would send to api.twilio.com to the local fake instead."""

    def __init__(self, base: str) -> None:
        super().__init__(pool_connections=True, max_retries=0)
        self._base = base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().request(method, url.replace(TWILIO, self._base), *args, **kwargs)


def _client(settings: Settings, http_client: Any = None) -> Client:
    local = LocalTwilio(os.environ["CENTRALE_BENCH_TWILIO_URL"])
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client or local)


def create_app() -> Any:
    web.app.twilio_client = _client  # type: ignore[assignment]
    return web.app.create_app()
