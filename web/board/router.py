"""``WS /ws/board``: signed-in operators (session cookie), from the public origin only.

Protocol (JSON text frames). The client connects to ``/ws/board`` for a snapshot, or to
``/ws/board?after=<seq>`` with the last sequence number it saw to receive exactly what it missed.
Server -> client: ``snapshot`` (the panels and the first ``limit`` open alerts, the most urgent first,
with ``total`` open and ``counts`` per severity, and the ``seq`` it reflects), ``replay`` (missed
events follow), ``resync`` (too far behind: a snapshot follows), ``event`` (one outbox event, with the
alert's card when it is about an alert), ``batch`` (``events``: several such events in one frame, in
order, when more than one waited for this client), ``ping``. Client -> server: ``{"type": "pong"}`` for each ping
(any message counts as a heartbeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from centrale.auth.actor import Actor, actor_for_token
from centrale.auth.service import SessionLimits
from centrale.db import Database
from centrale.settings import Settings
from web import container
from web.api.deps import COOKIE_NAME, client_address
from web.board.hub import BoardClient, Dropped, Hub

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

CLOSE_UNAUTHORISED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_TOO_SLOW = 4408
CLOSE_GOING_AWAY = 1001
RECHECK_SESSION_SECONDS = 60.0


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def allowed_origins(settings: Settings) -> set[str]:
    """The public origin; in development a loopback origin also under its other loopback names."""
    public = origin_of(settings.public_url)
    parts = urlsplit(public)
    host = (parts.hostname or "").lower()
    if settings.environment != "development" or (host not in LOOPBACK and f"[{host}]" not in LOOPBACK):
        return {public}
    port = f":{parts.port}" if parts.port else ""
    return {f"{parts.scheme}://{name}{port}" for name in LOOPBACK}


async def _signed_in(websocket: WebSocket) -> Actor | None:
    token = websocket.cookies.get(COOKIE_NAME)
    if not token:
        return None
    db: Database = container.database(websocket)
    limits = SessionLimits.of(container.settings_of(websocket))
    return await actor_for_token(db, token, client_address(websocket), limits)


async def _listen(websocket: WebSocket, client: BoardClient, hub: Hub) -> None:
    """Heartbeats, in the connection's own task: a ping every ``ping_seconds``, and any message from
    the client within the timeout keeps it; the session is re-checked. Ends when the client is dropped
    (``drop`` wakes it up at once)."""
    loop = asyncio.get_running_loop()
    heard = checked = loop.time()
    next_ping = heard + hub.limits.ping_seconds
    while not client.closed:
        try:
            async with asyncio.timeout_at(min(next_ping, heard + hub.limits.pong_timeout)) as alarm:
                client.alarm = alarm
                await websocket.receive_text()
        except TimeoutError:
            now = loop.time()
            if client.closed:
                return
            if now >= heard + hub.limits.pong_timeout:
                client.drop("no heartbeat")
                return
            if now >= next_ping:  # also under a steady flow of events, so pongs keep coming
                hub.ping(client)
                next_ping = now + hub.limits.ping_seconds
            continue
        except (WebSocketDisconnect, RuntimeError):
            client.drop("gone")
            return
        finally:
            client.alarm = None
        heard = loop.time()
        if heard - checked > RECHECK_SESSION_SECONDS:
            checked = heard
            if await _signed_in(websocket) is None:  # signed out or expired: stop at once
                client.drop("signed out")
                return


@router.websocket("/ws/board")
async def board_socket(websocket: WebSocket, after: int | None = None) -> None:
    """The live board's event stream (see the module docstring for the protocol)."""
    settings = container.settings_of(websocket)
    origin = websocket.headers.get("origin")
    if origin is None or origin_of(origin) not in allowed_origins(settings):
        await websocket.close(code=CLOSE_FORBIDDEN_ORIGIN)  # before accept: the handshake gets a 403
        return
    actor = await _signed_in(websocket)
    if actor is None:
        await websocket.close(code=CLOSE_UNAUTHORISED)
        return
    hub: Hub = container.hub(websocket)
    await websocket.accept()

    async def send(text: str) -> None:
        try:
            async with asyncio.timeout(hub.limits.send_timeout):
                await websocket.send_text(text)
        except TimeoutError:
            client.drop("send timeout")
            raise Dropped from None
        except (WebSocketDisconnect, RuntimeError, OSError):
            client.drop("gone")
            raise Dropped from None

    client = hub.register(actor, send)
    try:
        await hub.serve(client, after)  # snapshot or replay, in this task
        await _listen(websocket, client, hub)  # then this task listens; a sender runs only when needed
    except Dropped:
        pass
    except Exception:
        log.exception("board socket failed")
        client.drop("error")
    finally:
        hub.unregister(client)
    code = CLOSE_TOO_SLOW if client.reason == "send timeout" else CLOSE_GOING_AWAY
    with contextlib.suppress(Exception):
        async with asyncio.timeout(1.0):
            await websocket.close(code=code, reason=client.reason or "")
