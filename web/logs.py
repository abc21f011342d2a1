"""Logs without personal data, and one request id on every line.

- The access log keeps the path and drops the query string (``?q=<a name>`` is a search for a person).
- SQLAlchemy's statements and rows are never logged, even with the root logger at DEBUG (rows hold names
  and codici fiscali); the engines also hide their parameters (``centrale.db``).
- Each request's id (``X-Request-ID`` when the caller sends a sane one, otherwise a fresh one) is kept in
  a context variable, stamped on every log record it causes by a filter, and sent back as ``X-Request-ID``.
- ``CENTRALE_LOG_FORMAT=json`` (the default in production) writes one JSON object a line (python-json-logger):
  ``timestamp``, ``level``, ``logger``, ``message``, ``request_id`` and, for an error, ``exc_info``; ``text``
  writes the formatter's own line followed by `` request_id=...``.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from centrale.settings import Settings

HEADER = "x-request-id"
NO_REQUEST = "-"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # a caller's id is echoed into logs and headers

request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Stamps ``record.request_id`` (``-`` outside a request); lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RequestIdFormatter(logging.Formatter):
    """Any formatter's line followed by `` request_id=...`` when the line belongs to a request."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        rid = getattr(record, "request_id", NO_REQUEST)
        return line if rid == NO_REQUEST else f"{line} request_id={rid}"


class JsonLineFormatter(JsonFormatter):
    """One JSON object a line; keeps the formatter it replaced, to give it back in text mode."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            # uvicorn repeats its message with terminal colours in ``color_message``
            reserved_attrs=[*RESERVED_ATTRS, "color_message", "taskName"],
            timestamp=True,
            json_ensure_ascii=False,
        )
        self.inner = inner


def without_query(value: object) -> object:
    """A path with its query string cut off (other values unchanged)."""
    if isinstance(value, str) and value.startswith("/") and "?" in value:
        return value.split("?", 1)[0]
    return value


class AccessLogFilter(logging.Filter):
    """Cuts the query string out of uvicorn's access lines (``"GET /persone?q=Rossi HTTP/1.1"``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(without_query(arg) for arg in record.args)
        return True


_FILTER = RequestIdFilter()
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def _formatter(current: logging.Formatter | None, *, json_lines: bool) -> logging.Formatter:
    """The formatter a plain stream handler gets: JSON lines, or its own line with the request id."""
    if isinstance(current, JsonLineFormatter | RequestIdFormatter):
        if isinstance(current, JsonLineFormatter) == json_lines:
            return current
        current = current.inner
    return JsonLineFormatter(current) if json_lines else RequestIdFormatter(current)


def install_logging(*, json_lines: bool = False) -> None:
    """Idempotent: the filters on the server's loggers and handlers, a request-id-aware root handler when
    nothing configured one (under uvicorn the app's own warnings would otherwise lose level and id), and
    every plain stream handler's lines as JSON objects or as text with the request id."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogFilter) for f in access.filters):
        access.addFilter(AccessLogFilter())
    # statements and their rows stay out of the logs whatever the root level; ``echo=`` still shows them
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)  # at DEBUG it logs each statement with its values
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    handlers = [h for name in SERVER_LOGGERS for h in logging.getLogger(name).handlers] + root.handlers
    for handler in handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
        # uvicorn's handlers and ours are plain StreamHandlers; a test's capturing handlers are left as they are
        if type(handler) is logging.StreamHandler:
            handler.setFormatter(_formatter(handler.formatter, json_lines=json_lines))


class RequestIdMiddleware:
    """Sets the request id for everything the request logs, and answers with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = _given_id(scope)
        rid = given if given and _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            request_id.reset(token)


def _given_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            text: str = value.decode("latin-1")
            return text
    return None


def format_of(settings: Settings) -> str:
    """``json`` or ``text``: as set, else JSON in production."""
    return settings.log_format or ("json" if settings.environment == "production" else "text")


def install(app: Any, log_format: str | None = None) -> None:
    """The request id outside every other layer, so that their lines carry it too (``web/app.py``)."""
    install_logging(json_lines=log_format == "json")
    app.add_middleware(RequestIdMiddleware)
