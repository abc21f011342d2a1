"""Sending a web push with ``pywebpush``: the payload encrypted for the browser (aes128gcm), signed with VAPID.

The push goes to the endpoint the browser gave (its vendor's push service), with no relay of ours in
between. A 404 or 410 answer means the browser dropped the subscription: the caller prunes it. The
payload is a code and a short word (``PushMessage``), never health data; the page loads the rest.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlsplit

import aiohttp
from pywebpush import WebPusher

from centrale.ports import PushMessage, PushResult, PushSubscriptionInfo
from integrations.webpush.keys import vapid_of

log = logging.getLogger(__name__)

#: how long a push service keeps a notice for a browser that is offline (a task's notice is stale after a day)
TTL_SECONDS = 24 * 3600
GONE = frozenset({404, 410})


def payload(message: PushMessage) -> str:
    """What the service worker receives and shows (``web/static/sw.js``)."""
    return json.dumps(
        {"title": message.title, "body": message.body, "url": message.url, "tag": message.tag},
        ensure_ascii=False,
    )


class WebPushSender:
    """The ``PushSender`` that speaks to the browsers' push services (``CENTRALE_PUSH_BACKEND=webpush``)."""

    def __init__(self, *, private_key: str, subject: str, timeout: float = 10.0, ttl: int = TTL_SECONDS) -> None:
        self._vapid = vapid_of(private_key)
        self._subject = subject
        self._timeout = timeout
        self._ttl = ttl

    def _headers(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        claims = {"sub": self._subject, "aud": f"{parts.scheme}://{parts.netloc}", "exp": int(time.time()) + 12 * 3600}
        headers: dict[str, str] = dict(self._vapid.sign(claims))
        headers["Urgency"] = "high"
        return headers

    async def send(self, subscription: PushSubscriptionInfo, message: PushMessage) -> PushResult:
        info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        headers = self._headers(subscription.endpoint)
        # a newer notice of the same object replaces one still waiting at the push service
        headers["Topic"] = "".join(c for c in message.tag if c.isalnum())[:32] or "centrale"
        try:
            async with aiohttp.ClientSession() as session:
                response = await WebPusher(info, aiohttp_session=session).send_async(
                    payload(message), headers, ttl=self._ttl, content_encoding="aes128gcm", timeout=self._timeout
                )
                status = response.status  # type: ignore[union-attr]
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("push service unreachable: %s", type(exc).__name__)
            return PushResult(delivered=False, error=type(exc).__name__)
        if status in GONE:
            return PushResult(delivered=False, gone=True, error=f"HTTP {status}")
        if status >= 300:
            log.warning("push service answered %s", status)
            return PushResult(delivered=False, error=f"HTTP {status}")
        return PushResult(delivered=True)
