"""The Redis event bus: a pub/sub wake-up shared by every instance; the outbox stays the truth.

If Redis goes away, ``poll_seconds`` drops so readers poll the outbox often and nothing is lost;
a background task reconnects with backoff and Redis wake-ups resume when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from centrale.events.bus import LocalWaker

log = logging.getLogger(__name__)
CHANNEL = "centrale:events"


class RedisBus:
    """Publishes each commit's last seq on a Redis channel and wakes local readers on every message."""

    def __init__(self, url: str, *, healthy_poll: float = 5.0, degraded_poll: float = 0.5) -> None:
        self.url = url
        self.healthy_poll = healthy_poll
        self.degraded_poll = degraded_poll
        self.healthy = False
        self.wakeups_from_redis = 0
        self._redis: Redis | None = None
        self._waker = LocalWaker()
        self._listener: asyncio.Task[None] | None = None
        self._publishing: set[asyncio.Task[None]] = set()
        self._to_publish = 0

    @property
    def latest(self) -> int:
        return self._waker.latest

    @property
    def poll_seconds(self) -> float:
        return self.healthy_poll if self.healthy else self.degraded_poll

    async def start(self) -> None:
        self._redis = Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)
        self._listener = asyncio.create_task(self._listen(), name="redis-bus-listener")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        for task in list(self._publishing):
            task.cancel()
        if self._redis is not None:
            await self._redis.aclose()

    def committed(self, seq: int) -> None:
        self._waker.wake(seq)
        # one publish in flight at a time: commits that land meanwhile are covered by the next one
        self._to_publish = max(self._to_publish, seq)
        if not self._publishing:
            task = asyncio.get_running_loop().create_task(self._publish_latest())
            self._publishing.add(task)
            task.add_done_callback(self._publishing.discard)

    async def _publish_latest(self) -> None:
        published = 0
        while self._to_publish > published:
            published = self._to_publish
            await self.publish(published)

    async def publish(self, seq: int) -> None:
        if self._redis is None:
            return
        try:
            await self._redis.publish(CHANNEL, str(seq))
        except (RedisError, OSError) as exc:
            self.healthy = False
            log.warning("Redis publish failed (%s): readers poll the outbox", type(exc).__name__)

    async def wait_beyond(self, seq: int, within: float) -> bool:
        return await self._waker.wait_beyond(seq, within)

    async def _listen(self) -> None:
        backoff = 0.2
        while True:
            assert self._redis is not None
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                self.healthy, backoff = True, 0.2
                # an event may have been missed while we were away: wake readers to re-read the outbox
                self._waker.nudge()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self.wakeups_from_redis += 1
                        self._waker.wake(int(message["data"]))
            except (RedisError, OSError) as exc:
                if self.healthy:
                    log.warning("Redis unreachable (%s): falling back to the outbox", type(exc).__name__)
                self.healthy = False
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
