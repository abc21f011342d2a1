"""Twilio webhook signatures, checked against the public URL Twilio was given (not the URL we see)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from centrale.settings import Settings


def signing_token(settings: Settings) -> str | None:
    """The account's Auth Token; in development without Twilio, the secret key (the simulator uses it)."""
    if settings.twilio_auth_token:
        return settings.twilio_auth_token
    if settings.environment == "development":
        return settings.secret_key
    return None


def public_url(settings: Settings, path: str, query: str = "") -> str:
    """The URL Twilio requested: behind a TLS-terminating proxy the app sees http, Twilio signed https."""
    url = settings.public_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def is_signed(settings: Settings, *, path: str, query: str, params: Any, headers: Mapping[str, str]) -> bool:
    """True when ``X-Twilio-Signature`` matches (with or without the default port, multi-valued params)."""
    token = signing_token(settings)
    signature = headers.get(SIGNATURE_HEADER)
    if not token or not signature:
        return False
    algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER))
    validator = RequestValidator(token)
    url = public_url(settings, path, query)
    if "bodySHA256" not in query:
        # the URL exactly as configured is what Twilio signs in practice: one HMAC instead of the library's two
        try:
            # bytes: a forged header may hold any character, and compare_digest takes only ASCII strings
            computed = validator.compute_signature(url, params, algorithm).encode()
            if hmac.compare_digest(computed, signature.encode("utf-8", "surrogateescape")):
                return True
        except ValueError:  # an algorithm the library does not know: its validate says so and refuses
            pass
    # with and without the default port, and a JSON body's hash: the library's full check
    return bool(validator.validate(url, params, signature, algorithm))


def sign(token: str, url: str, params: Any) -> str:
    """The signature Twilio would send (the demo simulator and tests use it)."""
    return str(RequestValidator(token).compute_signature(url, params))
