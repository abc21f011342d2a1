"""The board hub: one outbox reader per instance fanning events out to bounded per-client buffers.

The reader follows the outbox in sequence order and sleeps on the event bus between reads (Redis
wakes every instance; without Redis, or with Redis down, the bus's poll interval still finds every
event). Each batch is scoped once per operator and rendered once per event, then offered to every
client's buffer without waiting. A client whose buffer overflows (a burst, or a slow reader) falls
back to reading the outbox at its own pace until it has caught up; a client whose socket does not
take a message within the send timeout, or who stops answering heartbeats, is dropped. Nobody waits
for anybody else.

An idle client costs one task, its connection's own, which listens for heartbeats: its buffer
exists only while events wait, and a sender task only while there is something to send.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from centrale.audit.service import record_covering
from centrale.auth.actor import Actor
from centrale.db import Database
from centrale.events.bus import EventBus, OutboxReader
from centrale.events.models import Event
from centrale.events.service import commit, last_seq
from centrale.settings import Settings
from web.board.scope import load_facts, may_see, readable_persons, visible_alerts
from web.board.shown import Shown, audit_row
from web.board.snapshot import DEFAULT_LIMIT, alert_cards, take_snapshot

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class HubLimits:
    """The bounds that keep one bad client from hurting the others."""

    queue_size: int = 256  # events waiting for one client before it catches up from the outbox
    send_timeout: float = 10.0  # seconds one message may take to leave before the client is dropped
    ping_seconds: float = 15.0  # heartbeat interval
    pong_timeout: float = 45.0  # no answer for this long: the connection is dead
    replay_horizon: int = 10_000  # a client further behind than this reloads a snapshot
    snapshot_limit: int = DEFAULT_LIMIT  # open alerts in a snapshot (the rest by count, and from the API)
    snapshots_at_once: int = 4  # a reconnect storm takes this many database connections, not the pool

    @classmethod
    def from_settings(cls, settings: Settings) -> HubLimits:
        return cls(
            queue_size=settings.board_queue_size,
            send_timeout=settings.board_send_timeout_seconds,
            ping_seconds=settings.board_ping_seconds,
            pong_timeout=settings.board_ping_seconds * 3,
            replay_horizon=settings.board_replay_horizon,
            snapshot_limit=settings.board_snapshot_limit,
        )


class Dropped(Exception):
    """The client broke a bound (or went away); its connection is closed."""


class BoardClient:
    """One connected board: its operator, the events waiting for it, and why it was dropped (if it was)."""

    __slots__ = (
        "_pending",
        "actor",
        "alarm",
        "closed",
        "lagging",
        "live",
        "ping_due",
        "queue_size",
        "reason",
        "send",
        "sender",
        "sent",
    )

    def __init__(self, actor: Actor, limits: HubLimits, send: Send) -> None:
        self.actor = actor
        self.send = send  # must time out (and drop the client) when the socket does not take a message
        self.queue_size = limits.queue_size
        self._pending: deque[tuple[int, str]] | None = None  # only while events wait
        self.sender: asyncio.Task[None] | None = None  # only while something is being sent
        self.alarm: asyncio.Timeout | None = None  # the listener's wake-up, while it listens
        self.sent = 0  # the last seq sent
        self.live = False  # caught up: new events go through the buffer
        self.ping_due = False
        self.closed = False
        self.reason: str | None = None
        self.lagging = False  # the buffer overflowed: catch up from the outbox

    def offer(self, seq: int, text: str) -> None:
        """Buffer an event without waiting; on overflow the client catches up from the outbox instead."""
        if self.closed or self.lagging:
            return
        if self._pending is None:
            self._pending = deque()
        if len(self._pending) >= self.queue_size:
            self.lagging = True
            self._pending = None  # all committed already, so the catch-up covers them
        else:
            self._pending.append((seq, text))

    def take(self) -> tuple[int, str] | None:
        """The oldest waiting event, if any (the buffer goes once it is empty)."""
        if not self._pending:
            return None
        item = self._pending.popleft()
        if not self._pending:
            self._pending = None
        return item

    @property
    def has_work(self) -> bool:
        return bool(self._pending) or self.lagging or self.ping_due

    def drop(self, reason: str) -> None:
        """Close the client: its listener wakes up at once and ends the connection."""
        if self.closed:
            return
        self.reason = reason
        self.closed = True
        alarm = self.alarm
        if alarm is not None and not alarm.expired():
            with contextlib.suppress(RuntimeError):  # it has just gone off, or ended
                alarm.reschedule(asyncio.get_running_loop().time())


def batch_message(texts: list[str]) -> str:
    """Several event messages (already JSON) in one frame: ``{"type": "batch", "events": [...]}``."""
    return '{"type": "batch", "events": [' + ",".join(texts) + "]}"


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


@dataclass
class Scoped:
    """A batch as each operator sees it: the messages to send, and what to audit once sent."""

    messages: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    shown: list[tuple[Actor, Shown, str]] = field(default_factory=list)  # (operator, what, seq range)


class Hub:
    """Fans the outbox out to this instance's board clients."""

    def __init__(self, database: Database, bus: EventBus, limits: HubLimits | None = None) -> None:
        self.database = database
        self.bus = bus
        self.limits = limits or HubLimits()
        self.reader = OutboxReader(database.sessionmaker, bus)
        self.clients: set[BoardClient] = set()
        self.dropped: Counter[str] = Counter()  # why clients left, for the operators' metrics
        self.mark = 0
        self._task: asyncio.Task[None] | None = None
        self._snapshots = asyncio.Semaphore(self.limits.snapshots_at_once)

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

    def register(self, actor: Actor, send: Send) -> BoardClient:
        client = BoardClient(actor, self.limits, send)
        self.clients.add(client)
        return client

    def unregister(self, client: BoardClient) -> None:
        if client.sender is not None:
            client.sender.cancel()
        if client in self.clients:
            self.clients.discard(client)
            self.dropped[client.reason or "closed"] += 1

    async def _follow(self) -> None:
        while True:
            try:
                if not self.clients:
                    await self._idle()
                    continue
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

    async def _idle(self) -> None:
        """No client here: follow the outbox's end without reading it. A client that comes is brought up
        to date by its snapshot (or its replay), which covers everything committed before it came."""
        woke = await self.bus.wait_beyond(self.mark, within=self.bus.poll_seconds)
        latest = self.bus.latest
        if not woke or latest <= self.mark:  # a quiet spell, or commits only another process saw
            async with self.database.sessionmaker() as session:
                latest = await last_seq(session)
        if not self.clients:  # one may have come meanwhile: then it is read as usual, from the mark
            self.mark = max(self.mark, latest)

    async def scoped(self, events: list[Event], actors: list[Actor]) -> Scoped:
        """For each operator, the (seq, message) pairs of the events they may see."""
        scoped = Scoped()
        async with self.database.sessionmaker() as session:
            ids = [int(e.payload["alert_id"]) for e in events if e.payload.get("alert_id") is not None]
            cards = await alert_cards(session, ids)
            facts = await load_facts(session, events)
            rendered: dict[int, str] = {}
            for actor in actors:
                persons = await readable_persons(session, actor, events)
                alerts = await visible_alerts(session, actor, events)
                visible = [e for e in events if e.seq is not None and may_see(actor, e, persons, alerts, facts)]
                for e in visible:
                    if int(e.seq or 0) not in rendered:
                        rendered[int(e.seq or 0)] = event_message(e, cards)
                scoped.messages[actor.operator_id] = [(int(e.seq or 0), rendered[int(e.seq or 0)]) for e in visible]
                if visible:
                    shown = Shown()
                    shown.add("events", (e.person_id for e in visible))
                    seqs = f"{visible[0].seq}-{visible[-1].seq}" if len(visible) > 1 else str(visible[0].seq)
                    scoped.shown.append((actor, shown, seqs))
        return scoped

    async def audit(self, scoped: Scoped) -> None:
        """Record who was shown whose data: one row per operator and batch, listing the people shown
        (after delivery, so the audit write adds no latency)."""
        rows = []
        for actor, shown, seqs in scoped.shown:
            row = audit_row(actor, shown, subtype="board-event", reference=seqs)
            if row is not None:
                rows.append((row, shown.persons))
        if not rows:
            return
        async with self.database.sessionmaker() as session:
            await record_covering(session, rows)
            await commit(session)

    async def _fan_out(self, events: list[Event]) -> None:
        by_operator: dict[int, list[BoardClient]] = defaultdict(list)
        for client in list(self.clients):
            by_operator[client.actor.operator_id].append(client)
        actors = [clients[0].actor for clients in by_operator.values()]
        scoped = await self.scoped(events, actors)
        for operator_id, clients in by_operator.items():
            messages = scoped.messages.get(operator_id)
            if not messages:
                continue
            for client in clients:
                for seq, text in messages:
                    client.offer(seq, text)
                self.kick(client)
        await self.audit(scoped)

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

    async def serve(self, client: BoardClient, after: int | None) -> None:
        """Snapshot or replay; then the client is live: events reach it through its buffer."""
        client.sent = await self._resume(client, after, announce=True)
        client.live = True
        self.kick(client)  # what arrived meanwhile

    def ping(self, client: BoardClient) -> None:
        """Send a heartbeat (the client answers with a pong) without waiting for it to leave."""
        client.ping_due = True
        self.kick(client)

    def kick(self, client: BoardClient) -> None:
        """Start the client's sender if something waits and none is running."""
        if client.live and client.sender is None and not client.closed and client.has_work:
            client.sender = asyncio.create_task(self._drain(client))

    async def _drain(self, client: BoardClient) -> None:
        """Send what waits, in order, then end (the next offer starts a new sender)."""
        try:
            while not client.closed:
                if client.lagging:  # events were not buffered for it: read them from the outbox
                    client.lagging = False
                    client.sent = await self._resume(client, client.sent, announce=False)
                    continue
                if client.ping_due:
                    client.ping_due = False
                    await client.send(json.dumps({"type": "ping", "seq": client.sent}))
                # what waits goes as one frame: one send per client per batch, not one per event
                texts, last = [], client.sent
                while (item := client.take()) is not None:
                    if item[0] > last:  # events already sent by a replay are skipped
                        texts.append(item[1])
                        last = item[0]
                if not texts:
                    return
                await client.send(texts[0] if len(texts) == 1 else batch_message(texts))
                client.sent = last
        except Dropped:
            pass  # the client is dropped: its listener ends the connection
        except Exception:
            log.exception("board: sending to a client failed")
            client.drop("error")
        finally:
            client.sender = None

    async def _resume(self, client: BoardClient, after: int | None, *, announce: bool) -> int:
        """Bring the client from ``after`` (or from nothing) up to the outbox's end; the last seq sent."""
        if after is not None and await self.needs_resync(after):
            await client.send(json.dumps({"type": "resync", "reason": "too_old", "after": after}))
            after = None
        if after is None:
            after = await self._send_snapshot(client)
        elif announce:
            await client.send(json.dumps({"type": "replay", "after": after}))
        return await self._replay(client, after)

    async def _send_snapshot(self, client: BoardClient) -> int:
        """Send a snapshot; the seq it reflects (the message itself is not kept once sent)."""
        async with self._snapshots, self.database.sessionmaker() as session:
            snapshot = await take_snapshot(session, client.actor, limit=self.limits.snapshot_limit)
        seq = int(snapshot["seq"])
        text = json.dumps(snapshot, default=str)
        del snapshot
        await client.send(text)
        return seq

    async def _replay(self, client: BoardClient, after: int) -> int:
        """Every event after ``after`` that this client may see, from the outbox, in order."""
        mark = after
        while True:
            events, scanned = await self.reader.read_after(mark)
            if scanned == mark:
                return mark
            if events:
                scoped = await self.scoped(events, [client.actor])
                for _seq, text in scoped.messages[client.actor.operator_id]:
                    await client.send(text)
                await self.audit(scoped)
            mark = scanned
