"""A fake HTTP client for twilio's ``Client``: records every request and answers canned JSON."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response


@dataclass
class Recorded:
    method: str
    uri: str
    params: dict[str, Any] | None
    data: dict[str, Any] | None


@dataclass
class FakeTwilioHttp(HttpClient):
    """Answers message creation with a queued message and message lists with ``inbound``."""

    requests: list[Recorded] = field(default_factory=list)
    script: list[Response | Exception] = field(default_factory=list)  # answers to give first, in order
    inbound: list[dict[str, Any]] = field(default_factory=list)
    _n: int = 0

    def __post_init__(self) -> None:
        super().__init__(logger=logging.getLogger("fake-twilio"), is_async=False)

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        self.requests.append(Recorded(method, uri, params, data))
        if self.script:
            answer = self.script.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if method == "POST" and uri.endswith("/Messages.json"):
            self._n += 1
            return Response(201, json.dumps(message_json(f"SM{self._n:032d}", data or {}, "queued")))
        if method == "GET" and uri.endswith("/Messages.json"):
            return Response(200, json.dumps(page_json(self.inbound, uri)))
        return Response(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))

    def sent_to(self, number: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and (r.data or {}).get("To") == number]


def message_json(
    sid: str, data: dict[str, Any], status: str, direction: str = "outbound-api", date_sent: str | None = None
) -> dict[str, Any]:
    return {
        "account_sid": "AC0123456789abcdef0123456789abcdef",
        "api_version": "2010-04-01",
        "body": data.get("Body", ""),
        "date_created": date_sent,
        "date_sent": date_sent,
        "date_updated": date_sent,
        "direction": direction,
        "error_code": None,
        "error_message": None,
        "from": data.get("From"),
        "messaging_service_sid": data.get("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "EUR",
        "sid": sid,
        "status": status,
        "subresource_uris": {},
        "to": data.get("To"),
        "uri": f"/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/{sid}.json",
    }


def page_json(messages: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    return {
        "messages": messages,
        "end": len(messages) - 1,
        "first_page_uri": uri,
        "next_page_uri": None,
        "page": 0,
        "page_size": 50,
        "previous_page_uri": None,
        "start": 0,
        "uri": uri,
    }


def error_response(status: int, code: int, message: str) -> Response:
    return Response(status, json.dumps({"code": code, "message": message, "more_info": "", "status": status}))
