"""A real uvicorn server in the test's event loop, and a small board websocket client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession
from websockets.asyncio.client import ClientConnection, connect

from centrale.condomini.models import Condominio
from centrale.events.service import commit, emit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from tests import factories as f
from web.api.deps import COOKIE_NAME

ORIGIN = "http://testserver"


async def coordinator_and_person(session: AsyncSession) -> tuple[int, str]:
    """A person of the centrale, and the token of a coordinator who may see every event about them."""
    centrale = await f.org(session, OrgKind.CENTRALE)
    who = await f.person(session, centrale)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    assert who.id is not None
    return who.id, await f.token_for(session, coordinator)


@dataclass
class TwoTutors:
    """Two tutors of a municipio, each with a condominio and one assisted person, and a coordinator."""

    tutor: Operator
    other_tutor: Operator
    coordinator: Operator
    mine: Condominio
    theirs: Condominio
    followed: Person
    stranger: Person


async def two_tutors(session: AsyncSession) -> TwoTutors:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    centrale = await f.org(session, OrgKind.CENTRALE)
    tutor = await f.operator(session, Role.TUTOR, municipio)
    other_tutor = await f.operator(session, Role.TUTOR, municipio)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    mine, theirs = await f.condominio(session, tutor), await f.condominio(session, other_tutor)
    followed = await f.person(session, municipio, cognome="Seguita")
    stranger = await f.person(session, municipio, cognome="Estranea")
    await f.assisted(session, mine, followed)
    await f.assisted(session, theirs, stranger)
    return TwoTutors(tutor, other_tutor, coordinator, mine, theirs, followed, stranger)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """Serve an app whose lifespan already ran (the ``app`` fixture) on a free port; yield host:port."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws_per_message_deflate=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for it
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def board_connect(
    address: str, token: str | None, *, after: int | None = None, origin: str = ORIGIN, **kwargs: Any
) -> Any:
    url = f"ws://{address}/ws/board" + (f"?after={after}" if after is not None else "")
    headers = {"Origin": origin}
    if token:
        headers["Cookie"] = f"{COOKIE_NAME}={token}"
    return connect(url, additional_headers=headers, compression=None, **kwargs)


_unpacked: weakref.WeakKeyDictionary[ClientConnection, list[dict[str, Any]]] = weakref.WeakKeyDictionary()


async def receive(ws: ClientConnection, within: float = 5.0, *, skip_pings: bool = True) -> dict[str, Any]:
    """The next message (answering pings as the board page does); a batch frame gives its events one by one."""
    waiting = _unpacked.setdefault(ws, [])
    if waiting:
        return waiting.pop(0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), max(0.0, deadline - loop.time())))
        if message["type"] == "batch":
            waiting.extend(message["events"][1:])
            return message["events"][0]
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            if skip_pings:
                continue
        return message


async def events_until_quiet(ws: ClientConnection, quiet: float = 0.5) -> list[dict[str, Any]]:
    """Every event that arrives until nothing has come for ``quiet`` seconds."""
    found = []
    while True:
        try:
            message = await receive(ws, quiet)
        except TimeoutError:
            return found
        if message["type"] == "event":
            found.append(message)


async def commit_events(
    sessionmaker: Any,
    count: int,
    *,
    person_id: int | None = None,
    recipient: int | None = None,
    kind: str = "test.happened",
) -> None:
    """Commit ``count`` events, one transaction each."""
    for n in range(count):
        async with sessionmaker() as session:
            emit(
                session,
                kind=kind,
                entity_type="Test",
                entity_id=n,
                person_id=person_id,
                recipient_operator_id=recipient,
                payload={"n": n},
            )
            await commit(session)
