"""A local fake of Twilio's REST API for the heat-wave scenario, in its own process.

Run: ``python -m bench.faketwilio '<json config>'``. It answers message creation (201, a queued message with
a fresh MessageSid) and message lists (empty), records every send with the time it arrived, and behaves as
Twilio and the people would: for each message that asked for one it posts the "sent" and "delivered" status
callbacks, and for the share ``reply_share`` of the numbers (the same ones every run) it posts a signed
"OK" reply at a random moment within ``reply_within`` seconds, round-robin to the instances, open loop (the
latency runs from the reply's scheduled time). On SIGTERM it writes everything to ``out`` (JSON).
Load goes to 127.0.0.1 only; every loop is bounded by the messages it was sent and ``max_seconds``.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import random
import signal
import sys
import time
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

CONNECTIONS = 48


class Fake:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.validator = RequestValidator(config["token"])
        self.instances = itertools.cycle(config["instances"])
        self.sends: list[tuple[float, str, str]] = []  # (arrival, to, sid)
        self.replies: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.counter = itertools.count(1)
        self.tasks: set[asyncio.Task[None]] = set()
        self.client: httpx.AsyncClient | None = None
        self.started = time.time()
        self.gate = asyncio.Semaphore(CONNECTIONS)

    def replies_to(self, number: str) -> bool:
        """The same numbers reply in every run (a hash of the number, not a draw)."""
        digest = hashlib.sha256(number.encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32 < float(self.config["reply_share"])

    async def create(self, request: Request) -> JSONResponse:
        form = await request.form()
        arrived = time.time()
        sid = f"SM{next(self.counter):032d}"
        to = str(form.get("To", ""))
        self.sends.append((arrived, to, sid))
        if form.get("StatusCallback"):
            for delay, status in ((0.5, "sent"), (1.5, "delivered")):
                self._later(arrived + delay, self._status(sid, to, status))
        if to.startswith(self.config["reply_prefix"]) and self.replies_to(to):
            self._later(arrived + random.uniform(1.0, float(self.config["reply_within"])), self._reply(sid, to))
        body = {"sid": sid, "status": "queued", "to": to, "from": form.get("From"), "body": form.get("Body")}
        body |= {"account_sid": self.config["account"], "direction": "outbound-api", "num_segments": "1"}
        body |= {"messaging_service_sid": form.get("MessagingServiceSid"), "date_created": None, "price": None}
        return JSONResponse(body, status_code=201)

    async def listing(self, request: Request) -> JSONResponse:
        uri = request.url.path
        return JSONResponse(
            {
                "messages": [],
                "end": 0,
                "first_page_uri": uri,
                "next_page_uri": None,
                "page": 0,
                "page_size": 50,
                "previous_page_uri": None,
                "start": 0,
                "uri": uri,
            }
        )

    def _later(self, at: float, work: Any) -> None:
        async def run() -> None:
            await asyncio.sleep(max(0.0, at - time.time()))
            await work(at)

        task = asyncio.create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, path: str, params: dict[str, str]) -> int:
        """One signed POST; at most CONNECTIONS in flight, so none waits inside httpx's pool (whose search
        for a free connection costs the waiters times the connections, on this process's one core)."""
        assert self.client is not None
        signature = self.validator.compute_signature(self.config["public_url"] + path, params)
        async with self.gate:
            try:
                answer = await self.client.post(
                    next(self.instances) + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=15.0
                )
                return answer.status_code
            except httpx.HTTPError:
                return 0

    def _status(self, sid: str, to: str, status: str):  # type: ignore[no-untyped-def]
        async def work(at: float) -> None:
            params = {"MessageSid": sid, "MessageStatus": status, "To": to, "AccountSid": self.config["account"]}
            code = await self._post("/integrations/twilio/status", params)
            self.statuses.append({"at": at, "status": code, "ms": (time.time() - at) * 1000})

        return work

    def _reply(self, sid: str, to: str):  # type: ignore[no-untyped-def]
        async def work(at: float) -> None:
            reply_sid = "SM" + hashlib.sha256(sid.encode()).hexdigest()[:32]
            params = {
                "MessageSid": reply_sid,
                "AccountSid": self.config["account"],
                "From": to,
                "To": "+390600000000",
                "Body": "OK",
                "NumMedia": "0",
            }
            code = await self._post("/integrations/twilio/sms", params)
            self.replies.append({"at": at, "to": to, "status": code, "ms": (time.time() - at) * 1000})

        return work

    def dump(self) -> None:
        out = {"sends": self.sends, "replies": self.replies, "statuses": self.statuses}
        with open(self.config["out"], "w") as f:
            json.dump(out, f)


def main() -> None:
    config = json.loads(sys.argv[1])
    fake = Fake(config)
    account = config["account"]
    routes = [
        Route(f"/2010-04-01/Accounts/{account}/Messages.json", fake.create, methods=["POST"]),
        Route(f"/2010-04-01/Accounts/{account}/Messages.json", fake.listing, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=int(config["port"]), log_level="warning"))

    async def serve() -> None:
        limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
        async with httpx.AsyncClient(limits=limits) as client:
            fake.client = client
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGTERM, lambda: setattr(server, "should_exit", True))
            loop.call_later(float(config["max_seconds"]), lambda: setattr(server, "should_exit", True))
            await server.serve()
            for task in list(fake.tasks):
                task.cancel()
        fake.dump()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
