"""A push service of our own for the tests: records what pywebpush POSTs, answers 201 or what it is told.

It stands where a browser vendor's push service stands (the endpoint a browser's subscription names),
and the test plays the browser: it holds the subscription's private keys, so it can decrypt the payload
as the browser would and check what a lock screen would show.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Browser:
    """The keys a browser makes when it subscribes (its part of the payload's encryption)."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth_secret, version="aes128gcm")
        found: dict[str, Any] = json.loads(plain)
        return found


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakePushService:
    base: str = ""
    received: list[Received] = field(default_factory=list)
    #: the status of the next answers (201: taken; 410: the browser unsubscribed)
    status: int = 201

    def endpoint(self, name: str) -> str:
        return f"{self.base}/push/{name}"

    async def _handle(self, request: web.Request) -> web.Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.received.append(Received(request.path, headers, await request.read()))
        return web.Response(status=self.status)


@asynccontextmanager
async def fake_push_service() -> AsyncIterator[FakePushService]:
    service = FakePushService()
    app = web.Application()
    app.router.add_post("/push/{name}", service._handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    service.base = f"http://127.0.0.1:{port}"
    try:
        yield service
    finally:
        await runner.cleanup()
