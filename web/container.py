"""The composition root's typed door to what the app factory built (the only reader of ``app.state``).

``web/app.py`` builds the database, the bus, the hub, the SMS sender and the scheduler at start-up and
keeps them on the app; routes, pages and sockets receive them through these functions (as FastAPI
dependencies, see ``web/api/deps.py``) instead of reading the app's state themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis
from starlette.requests import HTTPConnection

from alerts.sms.batch import InboundBatcher
from centrale.db import Database
from centrale.ports import SmsSender, VoiceCaller
from centrale.settings import Settings
from integrations.twilio.status_queue import StatusQueue

if TYPE_CHECKING:
    from web.board.hub import Hub
    from web.metrics import Metrics


def database(conn: HTTPConnection) -> Database:
    """The instance's database."""
    db: Database = conn.app.state.db
    return db


def settings_of(conn: HTTPConnection) -> Settings:
    """The instance's settings (the one source: what the app factory was given)."""
    settings: Settings = conn.app.state.settings
    return settings


def sms_sender(conn: HTTPConnection) -> SmsSender:
    sender: SmsSender = conn.app.state.sms_sender
    return sender


def voice_caller(conn: HTTPConnection) -> VoiceCaller:
    caller: VoiceCaller = conn.app.state.voice_caller
    return caller


def hub(conn: HTTPConnection) -> Hub:
    found: Hub = conn.app.state.hub
    return found


def metrics(conn: HTTPConnection) -> Metrics:
    """The instance's Prometheus instruments (``web/metrics.py``)."""
    found: Metrics = conn.app.state.metrics
    return found


def inbound(conn: HTTPConnection) -> InboundBatcher:
    batcher: InboundBatcher = conn.app.state.inbound
    return batcher


def redis(conn: HTTPConnection) -> Redis | None:
    client: Redis | None = getattr(conn.app.state, "redis", None)
    return client


def readiness_probes(conn: HTTPConnection) -> dict[str, Any]:
    probes: dict[str, Any] = getattr(conn.app.state, "readiness_probes", {})
    return probes


def status_queue(conn: HTTPConnection) -> StatusQueue | None:
    """The delivery-status queue (with Redis), or None: the status route then applies each callback itself."""
    found: StatusQueue | None = getattr(conn.app.state, "status_queue", None)
    return found
