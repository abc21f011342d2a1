"""The board hub: one outbox reader per instance fanning events out to bounded per-client queues.

The reader follows the outbox in sequence order and sleeps on the event bus between reads (Redis
wakes every instance; without Redis, or with Redis down, the bus's poll interval still finds every
event). Each batch is scoped once per operator and rendered once per event, then offered to every
client's queue without waiting: a client whose queue is full, whose socket does not take a message
within the send timeout, or who stops answering heartbeats is dropped, and nobody else waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from centrale.auth.deps import Actor
from centrale.db import Database
from centrale.events.bus import EventBus, OutboxReader
from centrale.events.models import Event
from centrale.events.service import last_seq
from centrale.settings import Settings
from web.board.scope import load_facts, may_see, readable_persons
from web.board.snapshot import alert_cards, audit_shown, take_snapshot

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class HubLimits:
    """The bounds that keep one bad client from hurting the others."""

    queue_size: int = 256  # events waiting for one client before it is dropped
    send_timeout: float = 10.0  # seconds one message may take to leave before the client is dropped
    ping_seconds: float = 15.0  # heartbeat interval
    pong_timeout: float = 45.0  # no answer for this long: the connection is dead
    replay_horizon: int = 10_000  # a client further behind than this reloads a snapshot

    @classmethod
    def from_settings(cls, settings: Settings) -> HubLimits:
        return cls(
            queue_size=settings.board_queue_size,
            send_timeout=settings.board_send_timeout_seconds,
            ping_seconds=settings.board_ping_seconds,
            pong_timeout=settings.board_ping_seconds * 3,
            replay_horizon=settings.board_replay_horizon,
        )


class Dropped(Exception):
    """The client broke a bound (or went away); its connection is closed."""


class BoardClient:
    """One connected board: its operator, its bounded queue, and why it was dropped (if it was)."""

    def __init__(self, actor: Actor, limits: HubLimits) -> None:
        self.actor = actor
        self.queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue(limits.queue_size)
        self.closed = asyncio.Event()
        self.reason: str | None = None

    def offer(self, seq: int, text: str) -> None:
        """Queue an event without waiting; a full queue drops the client."""
        if self.closed.is_set():
            return
        try:
            self.queue.put_nowait((seq, text))
        except asyncio.QueueFull:
            self.drop("queue full")

    def drop(self, reason: str) -> None:
        if not self.closed.is_set():
            self.reason = reason
            self.closed.set()


def event_message(event: Event, cards: dict[int, dict[str, Any]]) -> str:
    alert_id = event.payload.get("alert_id") if event.entity_type == "Alert" else None
    return json.dumps(
        {
            "type": "event",
            "seq": event.seq,
            "at": event.at.isoformat(),
            "kind": event.kind,
            "entity_type": event.entity_type,
            "entity_id": event.entity_id,
            "personal": event.recipient_operator_id is not None,
            "payload": event.payload,
            "alert": cards.get(int(alert_id)) if alert_id is not None else None,
        },
        default=str,
    )


class Hub:
    """Fans the outbox out to this instance's board clients."""

    def __init__(self, database: Database, bus: EventBus, limits: HubLimits | None = None) -> None:
        self.database = database
        self.bus = bus
        self.limits = limits or HubLimits()
        self.reader = OutboxReader(database.sessionmaker, bus)
        self.clients: set[BoardClient] = set()
        self.mark = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async with self.database.sessionmaker() as session:
            self.mark = await last_seq(session)
        self._task = asyncio.create_task(self._follow(), name="board-hub")

    async def stop(self) -> None:
        for client in list(self.clients):
            client.drop("shutdown")
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def register(self, actor: Actor) -> BoardClient:
        client = BoardClient(actor, self.limits)
        self.clients.add(client)
        return client

    def unregister(self, client: BoardClient) -> None:
        self.clients.discard(client)

    async def _follow(self) -> None:
        while True:
            try:
                events, scanned = await self.reader.read_after(self.mark)
                if events and self.clients:
                    await self._fan_out(events)
                full_page = scanned - self.mark >= self.reader.batch
                self.mark = scanned
                if not full_page:
                    await self.bus.wait_beyond(self.mark, within=self.bus.poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be restarting: keep the mark, retry shortly
                log.exception("board hub: reading the outbox failed; retrying")
                await asyncio.sleep(1.0)

    async def scoped(self, events: list[Event], actors: list[Actor]) -> dict[int, list[tuple[int, str]]]:
        """For each operator, the (seq, message) pairs of the events they may see; audits what is shown."""
        out: dict[int, list[tuple[int, str]]] = {}
        async with self.database.sessionmaker() as session:
            ids = [int(e.payload["alert_id"]) for e in events if e.payload.get("alert_id") is not None]
            cards = await alert_cards(session, ids)
            facts = await load_facts(session, events)
            rendered: dict[int, str] = {}
            for actor in actors:
                persons = await readable_persons(session, actor, events)
                visible = [e for e in events if may_see(actor, e, persons, facts)]
                for e in visible:
                    assert e.seq is not None
                    if e.seq not in rendered:
                        rendered[e.seq] = event_message(e, cards)
                out[actor.operator_id] = [(int(e.seq), rendered[int(e.seq)]) for e in visible if e.seq]
                shown = [{"id": e.entity_id, "person_id": e.person_id} for e in visible]
                audit_shown(session, actor, shown, "board-event")
            await session.commit()
        return out

    async def _fan_out(self, events: list[Event]) -> None:
        by_operator: dict[int, list[BoardClient]] = defaultdict(list)
        for client in list(self.clients):
            by_operator[client.actor.operator_id].append(client)
        actors = [clients[0].actor for clients in by_operator.values()]
        messages = await self.scoped(events, actors)
        for operator_id, clients in by_operator.items():
            for client in clients:
                for seq, text in messages.get(operator_id, []):
                    client.offer(seq, text)

    async def needs_resync(self, after: int) -> bool:
        """Whether a client at ``after`` is too far behind (or ahead, or the outbox was pruned)."""
        async with self.database.sessionmaker() as session:
            top = await last_seq(session)
            if after > top or top - after > self.limits.replay_horizon:
                return True
            if after == top:
                return False
            lowest = (await session.exec(select(func.min(col(Event.seq))))).one()
            return lowest is None or int(lowest) > after + 1

    async def serve(self, client: BoardClient, send: Send, after: int | None) -> None:
        """Snapshot or replay, then live events, until the client is dropped. ``send`` must time out."""
        if after is not None and await self.needs_resync(after):
            await send(json.dumps({"type": "resync", "reason": "too_old", "after": after}))
            after = None
        if after is None:
            async with self.database.sessionmaker() as session:
                snapshot = await take_snapshot(session, client.actor)
            await send(json.dumps(snapshot, default=str))
            after = int(snapshot["seq"])
        else:
            await send(json.dumps({"type": "replay", "after": after}))
        sent = await self._replay(client, send, after)
        await self._live(client, send, sent)

    async def _replay(self, client: BoardClient, send: Send, after: int) -> int:
        """Every event after ``after`` that this client may see, from the outbox, in order."""
        mark = after
        while True:
            events, scanned = await self.reader.read_after(mark)
            if scanned == mark:
                return mark
            if events:
                scoped = await self.scoped(events, [client.actor])
                for _seq, text in scoped[client.actor.operator_id]:
                    await send(text)
            mark = scanned

    async def _live(self, client: BoardClient, send: Send, sent: int) -> None:
        loop = asyncio.get_running_loop()
        next_ping = loop.time() + self.limits.ping_seconds
        while not client.closed.is_set():
            if loop.time() >= next_ping:  # also under a steady flow of events, so pongs keep coming
                await send(json.dumps({"type": "ping", "seq": sent}))
                next_ping = loop.time() + self.limits.ping_seconds
            try:
                seq, text = await asyncio.wait_for(client.queue.get(), max(0.0, next_ping - loop.time()))
            except TimeoutError:
                continue
            if seq > sent:  # events already sent by the replay are skipped
                await send(text)
                sent = seq
