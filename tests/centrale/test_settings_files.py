"""Settings from secret files (``<VARIABLE>_FILE``), passwords kept apart from URLs, the trusted proxies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError
from redis.connection import parse_url

from centrale.settings import Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(("CENTRALE_", "TWILIO_")):
            monkeypatch.delenv(key)


def _secret(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content)
    return str(path)


def test_a_secret_comes_from_the_file_its_file_variable_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRALE_WAAS_TOKEN_FILE", _secret(tmp_path, "waas", "bearer-value\n"))
    monkeypatch.setenv("TWILIO_AUTH_TOKEN_FILE", _secret(tmp_path, "twilio", "token-value"))
    monkeypatch.setenv("CENTRALE_PSEUDONYM_KEY_FILE", _secret(tmp_path, "empty", ""))
    settings = Settings()
    assert settings.waas_token == "bearer-value"  # the file's final newline is not part of it
    assert settings.twilio_auth_token == "token-value"  # aliases (Twilio's own names) too
    assert settings.pseudonym_key is None  # an empty file leaves the setting unset


def test_the_variable_itself_wins_over_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRALE_WAAS_TOKEN_FILE", _secret(tmp_path, "waas", "from-file"))
    monkeypatch.setenv("CENTRALE_WAAS_TOKEN", "from-variable")
    assert Settings().waas_token == "from-variable"


def test_a_missing_secret_file_refuses_to_start_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRALE_SECRET_KEY_FILE", "/nonexistent/secret_key")
    with pytest.raises(SettingsError, match="CENTRALE_SECRET_KEY_FILE"):
        Settings()


def test_the_production_secret_from_a_file_passes_the_production_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CENTRALE_ENVIRONMENT", "production")
    monkeypatch.setenv("CENTRALE_PUBLIC_URL", "https://centrale.example.org")
    monkeypatch.setenv("CENTRALE_SECRET_KEY_FILE", _secret(tmp_path, "short", "too-short\n"))
    with pytest.raises(ValidationError, match="CENTRALE_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("CENTRALE_SECRET_KEY_FILE", _secret(tmp_path, "long", "s" * 40 + "\n"))
    assert Settings().secret_key == "s" * 40


def test_passwords_go_into_urls_that_name_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRALE_DATABASE_URL", "postgresql://centrale@db:5432/centrale")
    monkeypatch.setenv("CENTRALE_DATABASE_PASSWORD", "p@ss:w/rd")
    monkeypatch.setenv("CENTRALE_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("CENTRALE_REDIS_PASSWORD", "r p")
    settings = Settings()
    assert settings.database_url == "postgresql+asyncpg://centrale:p%40ss%3Aw%2Frd@db:5432/centrale"
    assert settings.redis_url == "redis://:r%20p@cache:6379/0"
    monkeypatch.setenv("CENTRALE_DATABASE_URL", "postgresql+asyncpg://centrale:own@db/centrale")
    monkeypatch.setenv("CENTRALE_REDIS_URL", "redis://user:own@cache:6379/0")
    settings = Settings()
    assert settings.database_url == "postgresql+asyncpg://centrale:own@db/centrale"  # a URL's own password stays
    assert settings.redis_url == "redis://user:own@cache:6379/0"


def test_the_redis_client_reads_the_password_back() -> None:
    settings = Settings(redis_url="redis://cache:6379/0", redis_password="a:b@c/d e")
    assert parse_url(settings.redis_url)["password"] == "a:b@c/d e"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRALE_TICK_SECONDS", "")
    monkeypatch.setenv("CENTRALE_SIUSS_CF_OPERATORE", "")
    settings = Settings()
    assert settings.tick_seconds == 2.0 and settings.siuss_cf_operatore is None


def test_the_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().forwarded_allow_ips == "127.0.0.1"
    monkeypatch.setenv("CENTRALE_FORWARDED_ALLOW_IPS", "172.30.0.10, 10.0.0.0/8")
    assert Settings().forwarded_allow_ips == "172.30.0.10, 10.0.0.0/8"
    monkeypatch.setenv("CENTRALE_FORWARDED_ALLOW_IPS", "the-proxy")
    with pytest.raises(ValidationError):
        Settings()
