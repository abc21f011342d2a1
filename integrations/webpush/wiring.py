"""Choosing the push adapter and the public key browsers subscribe with, from the settings."""

from __future__ import annotations

from alerts.push.service import register_sender, unregister_sender
from centrale.db import Database
from centrale.ports import PushSender
from centrale.settings import Settings
from integrations.webpush import keys
from integrations.webpush.console import ConsolePushSender
from integrations.webpush.sender import WebPushSender


def make_push_sender(settings: Settings) -> PushSender:
    """``webpush`` (VAPID, the browsers' push services) when configured, else the console."""
    if settings.push_backend == "webpush":
        assert settings.vapid_private_key and settings.vapid_subject  # the settings refuse to start otherwise
        return WebPushSender(private_key=settings.vapid_private_key, subject=settings.vapid_subject)
    return ConsolePushSender()


def public_key(settings: Settings, *, fallback: keys.VapidKeys | None = None) -> str:
    """The ``applicationServerKey`` of the configured private key; without one, the instance's own
    throw-away pair (development: browsers can subscribe, the console takes the notices)."""
    if settings.vapid_private_key:
        return keys.public_of(settings.vapid_private_key)
    return (fallback or development_keys()).public_key


_development_keys: list[keys.VapidKeys] = []


def development_keys() -> keys.VapidKeys:
    """One throw-away key pair per process, for an instance with no VAPID key configured."""
    if not _development_keys:
        _development_keys.append(keys.generate())
    return _development_keys[0]


def start(settings: Settings, database: Database) -> PushSender:
    """Build the instance's push adapter and register it for ``database`` (``alerts.push.service``)."""
    sender = make_push_sender(settings)
    register_sender(sender, database)
    return sender


def stop(database: Database) -> None:
    unregister_sender(database)
