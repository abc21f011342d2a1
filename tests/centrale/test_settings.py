"""Settings: the CENTRALE_ names, and no default secret outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from centrale.settings import DEV_SECRET, Settings


def test_refuses_default_secret_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRALE_ENVIRONMENT", "production")
    monkeypatch.setenv("CENTRALE_PUBLIC_URL", "https://centrale.example.org")
    with pytest.raises(ValidationError, match="CENTRALE_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("CENTRALE_SECRET_KEY", "x" * 40)
    assert Settings().secret_key == "x" * 40


def test_development_allows_the_default_secret() -> None:
    assert Settings(environment="development").secret_key == DEV_SECRET


def test_reads_documented_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRALE_DATABASE_URL", "postgresql://u@db/centrale")
    monkeypatch.setenv("CENTRALE_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("CENTRALE_PUBLIC_URL", "https://centrale.example.org")
    monkeypatch.setenv("CENTRALE_SMS_BACKEND", "twilio")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t" * 32)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+393330000000")
    s = Settings()
    assert s.database_url == "postgresql+asyncpg://u@db/centrale"
    assert s.redis_url == "redis://cache:6379/0" and s.secure_cookies
    assert s.twilio_account_sid == "AC" + "0" * 32 and s.twilio_from_number == "+393330000000"


def test_twilio_backend_needs_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with pytest.raises(ValidationError, match="TWILIO_ACCOUNT_SID"):
        Settings(sms_backend="twilio")
