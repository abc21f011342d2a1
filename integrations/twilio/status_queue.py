"""Delivery-status callbacks at campaign volume: taken fast, applied in batches, never lost.

A campaign of tens of thousands of SMS brings back three or four status callbacks for each (queued, sent,
delivered...). Applied one by one, each is a transaction that competes with the inbound SMS webhook for the
database and the event loop. With Redis, the status route only appends the callback to a Redis stream
(``XADD``, acknowledged by Redis before the route answers 2xx; if Redis refuses, the route answers 5xx and
Twilio retries), and each instance's consumer applies what the stream holds in batches, one transaction per
batch, through the ``sms.status`` flow. A batch's entries are acknowledged (``XACK``) only after its commit;
entries a dead instance had read are claimed by another after ``CLAIM_IDLE_MS``. Applying twice is harmless:
a delivery state only moves forward. Inbound SMS keep their own path (``alerts.sms.batch``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError, ResponseError

from alerts.sms.status import record_delivery_status
from centrale.audit.service import Agent
from centrale.db import Database
from centrale.uow import Tx

log = logging.getLogger(__name__)

STREAM = "centrale:sms:status"
GROUP = "apply"
FIELDS = ("MessageSid", "MessageStatus", "To", "ErrorCode")
CLAIM_IDLE_MS = 30_000
POOL = 50
POOL_WAIT_SECONDS = 5.0
AGENT = Agent(operator_id=None, name="webhook Twilio", role=None, org_id=None, source_address=None)


class StatusQueue:
    """The stream of received status callbacks and this instance's consumer of it."""

    def __init__(
        self,
        redis: Redis,
        database: Database,
        *,
        consumer: str,
        stream: str = STREAM,
        batch: int = 500,
        block_ms: int = 200,
    ) -> None:
        shared = redis.connection_pool
        # its own pool, which waits for a free connection instead of refusing (redis-py's default pool
        # refuses past 100): a burst of callbacks queues here for milliseconds rather than answering 503
        self._redis: Redis = Redis(
            connection_pool=BlockingConnectionPool(
                connection_class=shared.connection_class,
                max_connections=POOL,
                timeout=POOL_WAIT_SECONDS,
                **shared.connection_kwargs,
            )
        )
        self._db = database
        self._consumer, self._stream = consumer, stream
        self._batch, self._block_ms = batch, block_ms
        self._task: asyncio.Task[None] | None = None
        self.applied = 0

    async def put(self, params: dict[str, str]) -> None:
        """Append one callback; returns once Redis holds it (the caller answers Twilio only then)."""
        await self._redis.xadd(self._stream, {name: params.get(name) or "" for name in FIELDS})

    async def _ensure_group(self) -> None:
        with contextlib.suppress(ResponseError):  # BUSYGROUP: another instance made it
            await self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)

    async def apply_once(self, *, block_ms: int | None = None) -> int:
        """Read one batch (first any left idle by a dead consumer), apply it, acknowledge it; how many."""
        claimed = await self._redis.xautoclaim(
            self._stream, GROUP, self._consumer, min_idle_time=CLAIM_IDLE_MS, start_id="0-0", count=self._batch
        )
        entries: list[Any] = list(claimed[1]) if claimed else []
        if not entries:
            read: Any = await self._redis.xreadgroup(
                GROUP, self._consumer, {self._stream: ">"}, count=self._batch, block=block_ms or self._block_ms
            )
            entries = [entry for _stream, items in read or [] for entry in items]
        entries = [(entry_id, fields) for entry_id, fields in entries if fields]
        if not entries:
            return 0
        await self._apply([{k.decode(): v.decode() for k, v in fields.items()} for _id, fields in entries])
        ids = [entry_id for entry_id, _fields in entries]
        await self._redis.xack(self._stream, GROUP, *ids)
        await self._redis.xdel(self._stream, *ids)
        self.applied += len(ids)
        return len(ids)

    async def _apply(self, callbacks: list[dict[str, str]]) -> None:
        """One transaction for the batch; if it fails (a clash with a concurrent change), one by one."""
        try:
            async with Tx.open(self._db, agent=AGENT) as tx:
                for callback in callbacks:
                    await _record(tx, callback)
                await tx.commit()
            return
        except Exception as error:
            log.warning("stati di consegna: lotto non applicato (%s), uno per uno", type(error).__name__)
        for callback in callbacks:
            async with Tx.open(self._db, agent=AGENT) as tx:
                await _record(tx, callback)
                await tx.commit()

    async def _run(self, ready: bool) -> None:
        while True:
            try:
                if not ready:  # Redis may be away when the instance starts: /readyz says so, this waits
                    await self._ensure_group()
                    ready = True
                await self.apply_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis or the database away for a moment: the entries wait in the stream
                log.exception("stati di consegna: consumo interrotto, si riprova")
                await asyncio.sleep(1)

    async def start(self) -> None:
        """Create the consumer group now if Redis answers (else the consumer keeps trying), then consume."""
        try:
            await self._ensure_group()
            ready = True
        except (RedisError, OSError):
            log.warning("stati di consegna: Redis non raggiungibile all'avvio, si riprova")
            ready = False
        self._task = asyncio.create_task(self._run(ready), name="sms-status-consumer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._redis.aclose()


async def _record(tx: Tx, callback: dict[str, str]) -> None:
    await record_delivery_status(
        tx,
        provider_id=callback["MessageSid"],
        status=callback["MessageStatus"],
        to_number=callback.get("To") or None,
        error_code=callback.get("ErrorCode") or None,
    )
