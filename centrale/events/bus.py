"""The event bus (a wake-up after commit) and the outbox reader (the truth, in sequence order).

Readers never trust the bus for content: it only says "something newer than seq N may exist".
Events themselves are always read from the outbox, so a lost or late wake-up costs latency, not
events. ``OutboxReader.subscribe`` is what the board's websocket and the tests use.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.events.models import Event
from centrale.events.service import events_after


class EventBus(Protocol):
    """Wakes outbox readers after commits, in this instance or (Redis) in every instance."""

    @property
    def poll_seconds(self) -> float:
        """How long a reader may sleep without a wake-up before reading the outbox again."""

    @property
    def latest(self) -> int:
        """The highest seq this instance knows to be committed (0 before the first wake-up)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def committed(self, seq: int) -> None:
        """Called synchronously after a local commit that wrote events up to ``seq``."""

    async def publish(self, seq: int) -> None: ...

    async def wait_beyond(self, seq: int, within: float) -> bool:
        """Return when events after ``seq`` may exist (True) or ``within`` seconds passed (False)."""


class LocalWaker:
    """A latest-seq mark and the waiters on it, for one event loop."""

    def __init__(self) -> None:
        self.latest = 0
        self._changed = asyncio.Event()

    def wake(self, seq: int) -> None:
        if seq <= self.latest:
            return
        self.latest = seq
        self.nudge()

    def nudge(self) -> None:
        """Wake every waiter to re-read the outbox (e.g. after a reconnection)."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_beyond(self, seq: int, within: float) -> bool:
        if self.latest > seq:
            return True
        changed = self._changed
        try:
            await asyncio.wait_for(changed.wait(), within)
        except TimeoutError:
            return False
        return True


class InProcessBus:
    """The embedded default: commits in this process wake this process's readers."""

    def __init__(self, *, poll_seconds: float = 2.0) -> None:
        # Polling still catches writes from other processes on the same database (e.g. the CLI).
        self.poll_seconds = poll_seconds
        self._waker = LocalWaker()

    @property
    def latest(self) -> int:
        return self._waker.latest

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def committed(self, seq: int) -> None:
        self._waker.wake(seq)

    async def publish(self, seq: int) -> None:
        self._waker.wake(seq)

    async def wait_beyond(self, seq: int, within: float) -> bool:
        return await self._waker.wait_beyond(seq, within)


class OutboxReader:
    """Follows the outbox in sequence order, sleeping on the bus between reads."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], bus: EventBus, *, batch: int = 500) -> None:
        self.sessionmaker = sessionmaker
        self.bus = bus
        self.batch = batch

    async def read_after(self, after: int, *, where: ColumnElement[bool] | None = None) -> tuple[list[Event], int]:
        """One page of events after ``after`` and the seq to resume from."""
        async with self.sessionmaker() as session:
            return await events_after(session, after=after, limit=self.batch, where=where)

    async def subscribe(self, *, after: int, where: ColumnElement[bool] | None = None) -> AsyncIterator[Event]:
        """Every committed event with ``seq > after`` (matching ``where``), once each, in order, forever."""
        mark = after
        while True:
            events, scanned = await self.read_after(mark, where=where)
            for event in events:
                yield event
            full_page = scanned - mark >= self.batch
            mark = scanned
            if not full_page:
                await self.bus.wait_beyond(mark, within=self.bus.poll_seconds)
