"""Group commit for inbound SMS: what arrives while a transaction runs is triaged together in the next.

A heat wave's check-in round makes thousands of sentinels answer within a minute. Each message is
stored and triaged before its webhook is answered, as before; what changes is that the messages which
arrive while the instance's transaction is running wait for it and then share one transaction of
their own: one ``BEGIN``, one pipelined store (on PostgreSQL), one write of the numbered events, one
``COMMIT`` and one wake-up of the boards for the lot, instead of one of each per message. When the
instance is not busy, a message has a transaction to itself, exactly as without the batcher.

A batch commits as a whole or not at all. If it fails for any reason (a deadlock with another
instance, a clash on a unique key, a bug in triage), it is rolled back and its messages are received
again one by one, each in its own transaction (``receive_and_commit``, which also keeps a message that
triage cannot handle in quarantine), so one bad message never costs the others their answer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.sms.flows import receive_and_commit, receive_many
from alerts.sms.models import InboundSms
from centrale.events.service import commit
from centrale.flows import flow

log = logging.getLogger(__name__)


@dataclass
class _Waiting:
    params: dict[str, str]
    raw: dict[str, Any] | None
    source: str
    answer: asyncio.Future[InboundSms] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def settle(self, message: InboundSms | None = None, error: BaseException | None = None) -> None:
        if self.answer.done():  # nobody waits any more (the request was cancelled): the message is stored anyway
            return
        if error is not None:
            self.answer.set_exception(error)
        else:
            self.answer.set_result(message)  # type: ignore[arg-type]


class InboundBatcher:
    """Receives inbound SMS for the webhook: stored, triaged and committed before ``receive`` returns.

    ``max_batch`` bounds how many messages share a transaction (1: each message alone). One batch at a
    time runs its statements; the next one starts while the previous one commits (a commit waits for the
    disk, and the messages that arrive meanwhile need not).
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, max_batch: int = 32) -> None:
        self._sessionmaker = sessionmaker
        self._max = max(1, max_batch)
        self._queue: list[_Waiting] = []
        self._drainer: asyncio.Task[None] | None = None
        self._committing: set[asyncio.Task[None]] = set()

    @flow("sms.receive", guarded=False)  # Twilio's signature, checked by the webhook, is the authentication
    async def receive(self, *, params: dict[str, str], raw: dict[str, Any] | None = None) -> InboundSms:
        """The message stored and triaged, with its reply; a duplicate gets the first answer again."""
        waiting = _Waiting(params, raw, "webhook")
        self._queue.append(waiting)
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name="inbound-sms-batcher")
        # shielded: a request that goes away does not take its message out of the batch
        return await asyncio.shield(waiting.answer)

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._queue[: self._max]
                del self._queue[: self._max]
                worked = asyncio.get_running_loop().create_future()
                task = asyncio.create_task(self._run(batch, worked), name="inbound-sms-batch")
                self._committing.add(task)
                task.add_done_callback(self._committing.discard)
                # the next batch starts when this one has run its statements and only commits: it may wait
                # for this one's locks, but this one waits for nothing but the disk, so they cannot deadlock
                await asyncio.shield(worked)
        finally:
            self._drainer = None
            for waiting in self._queue:  # only when the instance stops: no waiter is left hanging
                waiting.answer.cancel()
            self._queue.clear()

    async def _run(self, batch: list[_Waiting], worked: asyncio.Future[None]) -> None:
        try:
            try:
                messages = await self._together(batch, worked)
            except Exception as error:  # any failure: each message again, on its own
                log.warning("a batch of %d inbound SMS failed (%s); receiving them one by one", len(batch), error)
            else:
                for waiting, message in zip(batch, messages, strict=True):
                    waiting.settle(message)
                return
            for waiting in batch:
                try:
                    message = await receive_and_commit(
                        self._sessionmaker, params=waiting.params, raw=waiting.raw, source=waiting.source
                    )
                except Exception as error:  # handed to the request, which answers for it
                    waiting.settle(error=error)
                else:
                    waiting.settle(message)
        finally:
            if not worked.done():  # failed before its commit: the next batch waited for the one-by-one too
                worked.set_result(None)
            for waiting in batch:  # only when cancelled (the instance stops)
                if not waiting.answer.done():
                    waiting.answer.cancel()

    async def _together(self, batch: list[_Waiting], worked: asyncio.Future[None]) -> list[InboundSms]:
        async with self._sessionmaker() as session:
            messages = await receive_many(session, [(w.params, w.raw, w.source) for w in batch])
            await session.flush()  # from here on only the events and COMMIT: no row lock is asked for
            worked.set_result(None)
            await commit(session)
        return messages
