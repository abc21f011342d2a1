"""Settings read from the environment (``CENTRALE_*`` and Twilio's own names)."""

from __future__ import annotations

import os
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import AliasChoices, Field, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError
from sqlalchemy.engine import make_url

DEV_SECRET = "dev-only-change-me"  # noqa: S105 - the marker we refuse outside development
DEFAULT_DB_PATH = Path("var") / "centrale.sqlite3"


class Settings(BaseSettings):
    """Every setting of an instance; validated at start-up."""

    # an empty variable counts as unset, so a deployment can pass every name through (`X: ${X:-}`)
    model_config = SettingsConfigDict(env_prefix="CENTRALE_", extra="ignore", env_ignore_empty=True)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DB_PATH}"
    redis_url: str | None = None
    # passwords put into the URLs above when these name none (so a secret file can hold them alone)
    database_password: str | None = None
    redis_password: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str = DEV_SECRET
    sms_backend: Literal["console", "twilio"] = "console"
    timezone: str = "Europe/Rome"
    session_hours: int = 12
    # a session not used for this long ends (as one older than session_hours does)
    session_idle_minutes: int = Field(default=30, ge=1)
    login_max_failures_per_minute: int = 9
    # wrong passwords from one address (any usernames) within login_address_window_minutes
    login_max_failures_per_address: int = Field(default=30, ge=1)
    login_address_window_minutes: int = Field(default=10, ge=1)
    tick_seconds: float = 2.0
    scheduler_enabled: bool = True
    # Care intensity rule (configurable, DOMAIN.md): ALTA at Barthel <= the first, MEDIA <= the second.
    intensity_alta_barthel_max: int = 40
    intensity_media_barthel_max: int = 90
    # Score bands per scale, e.g. {"BARTHEL": [[0, 20, "totale"], ...]}; unset scales keep the defaults.
    scale_bands: dict[str, list[tuple[int, int, str]]] = {}
    # grouping: a report joins the person's open alert within this window; this many reports from
    # one condominio within the building window open one building-level alert
    alert_join_window_minutes: int = Field(default=120, ge=1)
    building_alert_reports: int = Field(default=3, ge=2)
    building_alert_window_minutes: int = Field(default=30, ge=1)
    escalation_lease_seconds: int = Field(default=30, ge=1)
    # SIUSS (INPS): the ente that sends the flows, and the credential INPS's client presents to /waas/v1
    siuss_codice_ente: str = Field(default="H501", pattern=r"^[A-Z][0-9]{3}$")
    siuss_denominazione_ente: str = "Roma Capitale"
    siuss_cf_operatore: str | None = Field(
        default=None, description="Codice fiscale of the sending operator or ente (PS-PSA-SINA CFOperatore)"
    )
    waas_token: str | None = Field(default=None, description="Bearer credential of INPS's client (PDND)")
    # Evaluation export: the key of the keyed pseudonyms (HMAC-SHA256); never stored in the repository
    pseudonym_key: str | None = None
    # Reports: counts below this are shown as "<n" to analysts (small-cell suppression)
    report_min_cell: int = Field(default=5, ge=1)

    # monitoring tasks: how far ahead the plan's schedule is turned into tasks; reminder lead time
    task_horizon_days: int = Field(default=14, ge=1, le=120)
    task_reminder_minutes: int = Field(default=60, ge=0, le=7 * 1440)
    plan_end_warning_days: int = Field(default=7, ge=1)
    # live board: per-client queue bound, send timeout, heartbeat, how far back a replay may go, and
    # how many open alerts a snapshot carries (the most urgent; the board shows the count of the rest)
    board_queue_size: int = Field(default=256, ge=1)
    board_send_timeout_seconds: float = Field(default=10.0, gt=0)
    board_ping_seconds: float = Field(default=15.0, gt=0)
    board_replay_horizon: int = Field(default=10_000, ge=1)
    board_snapshot_limit: int = Field(default=200, ge=1, le=5000)
    # inbound SMS that arrive while the instance's transaction runs share the next one (1: one each)
    inbound_batch: int = Field(default=32, ge=1, le=500)
    # the web surface: TLS ended by a trusted proxy in front of an http:// public URL (cookies then Secure);
    # /docs, /redoc and /openapi.json served (unset: yes except in production); who may read /metrics
    # (addresses or networks, comma-separated); request bodies over these sizes answer 413 unread
    tls_terminated_by_proxy: bool = False
    # the proxies whose X-Forwarded-For / -Proto are believed (addresses or networks, comma-separated, or *):
    # the client address that sign-in throttling and the audit log record comes from them
    forwarded_allow_ips: str = "127.0.0.1"
    # mutual TLS for the hospitals' FHIR clients: the header in which the TLS proxy (one of the above) puts the
    # SHA-256 fingerprint of the client's certificate; unset, hospitals authenticate with their secret only
    fhir_client_cert_header: str | None = None
    public_docs: bool | None = None
    metrics_allow: str = "127.0.0.1,::1"
    max_webhook_bytes: int = Field(default=64 * 1024, ge=1024)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # logs: one JSON object a line, or text (unset: JSON in production, text otherwise)
    log_format: Literal["json", "text"] | None = None
    # retention (the daily job retention.apply): SMS texts are emptied, closed cases' free text is removed,
    # audit rows are deleted after this many months; the Garante asks audit logs to be kept 24 months at least
    retention_sms_months: int = Field(default=12, ge=1)
    retention_closed_case_months: int = Field(default=120, ge=1)
    retention_audit_months: int = Field(default=24, ge=24)

    twilio_account_sid: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "CENTRALE_TWILIO_ACCOUNT_SID")
    )
    twilio_auth_token: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "CENTRALE_TWILIO_AUTH_TOKEN")
    )
    twilio_from_number: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_FROM_NUMBER", "CENTRALE_TWILIO_FROM_NUMBER")
    )
    twilio_messaging_service_sid: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TWILIO_MESSAGING_SERVICE_SID", "CENTRALE_TWILIO_MESSAGING_SERVICE_SID"),
    )
    sms_per_second: float = Field(default=1.0, gt=0, description="Twilio sending rate, messages per second")
    # a campaign's check-ins (a heat wave makes the whole at-risk list due at once) go out spread over this
    # window, each person at a fixed place in it; set it to about (persons / sms_per_second) seconds
    checkin_spread_seconds: int = Field(default=0, ge=0, le=6 * 3600)
    # voice calls (escalation's VOCE channel): the console transport, or Twilio from this number (else the SMS one)
    voice_backend: Literal["console", "twilio"] = "console"
    twilio_voice_number: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_VOICE_NUMBER", "CENTRALE_TWILIO_VOICE_NUMBER")
    )

    # web push (the tutors' and the board's notices): straight to the browsers' push services, signed with VAPID
    push_backend: Literal["console", "webpush"] = "console"
    vapid_private_key: str | None = None  # a secret: CENTRALE_VAPID_PRIVATE_KEY_FILE (`centrale vapid-keys`)
    vapid_subject: str | None = None  # mailto: or https: contact the push services may write to

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.environment == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "CENTRALE_SECRET_KEY must be set to a random value of at least 32 characters outside development"
                )
            if not self.public_url.startswith("https://") and not self.tls_terminated_by_proxy:
                raise ValueError(
                    "CENTRALE_PUBLIC_URL must be https:// in production "
                    "(or set CENTRALE_TLS_TERMINATED_BY_PROXY=true when TLS ends at a trusted proxy)"
                )
        if self.public_docs is None:
            self.public_docs = self.environment != "production"
        self.metrics_networks()  # a malformed address refuses to start, not to answer
        for part in self.forwarded_allow_ips.split(","):
            if part.strip() not in ("", "*"):
                ip_network(part.strip(), strict=False)
        if self.sms_backend == "twilio" and not (self.twilio_account_sid and self.twilio_auth_token):
            raise ValueError("CENTRALE_SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if self.voice_backend == "twilio" and not (
            self.twilio_account_sid and self.twilio_auth_token and (self.twilio_voice_number or self.twilio_from_number)
        ):
            raise ValueError(
                "CENTRALE_VOICE_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_VOICE_NUMBER (or TWILIO_FROM_NUMBER)"
            )
        if self.push_backend == "webpush" and not (self.vapid_private_key and self.vapid_subject):
            raise ValueError("CENTRALE_PUSH_BACKEND=webpush needs CENTRALE_VAPID_PRIVATE_KEY and _VAPID_SUBJECT")
        if self.database_url.startswith("postgresql://"):
            self.database_url = "postgresql+asyncpg://" + self.database_url.removeprefix("postgresql://")
        if self.database_url.startswith("sqlite:///"):
            self.database_url = "sqlite+aiosqlite:///" + self.database_url.removeprefix("sqlite:///")
        self._put_passwords()
        return self

    def _put_passwords(self) -> None:
        if self.database_password and not self.is_sqlite:
            url = make_url(self.database_url)
            if url.password is None:
                self.database_url = url.set(password=self.database_password).render_as_string(hide_password=False)
        if self.redis_password and self.redis_url:
            parts = urlsplit(self.redis_url)
            if parts.password is None:
                user = quote(parts.username or "", safe="")
                netloc = f"{user}:{quote(self.redis_password, safe='')}@{parts.netloc.rpartition('@')[2]}"
                self.redis_url = urlunsplit(parts._replace(netloc=netloc))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, SecretFiles(settings_cls), dotenv_settings, file_secret_settings

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://") or self.tls_terminated_by_proxy

    def metrics_networks(self) -> list[IPv4Network | IPv6Network]:
        """The addresses and networks that may read ``/metrics``."""
        return [ip_network(part.strip(), strict=False) for part in self.metrics_allow.split(",") if part.strip()]


def env_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables a setting is read from (``CENTRALE_<NAME>`` or its aliases)."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [f"CENTRALE_{name.upper()}"]


class SecretFiles(PydanticBaseSettingsSource):
    """``<VARIABLE>_FILE`` names a file holding the setting (compose and Kubernetes secrets, systemd credentials).

    The variable itself, when also set, wins; a final newline is not part of the value; an empty file
    counts as unset.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        for env in env_names(field_name, field):
            path = os.environ.get(f"{env}_FILE")
            if path:
                try:
                    value = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
                except OSError as exc:
                    raise SettingsError(f"{env}_FILE: cannot read {path} ({exc.strerror})") from exc
                return (value or None), env, False
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key if isinstance(field.validation_alias, AliasChoices) else name] = value
        return values


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings``)."""
    return Settings()
