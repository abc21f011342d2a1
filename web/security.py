"""The web surface's guard, one ASGI layer: cross-site requests, exposure, body sizes, text the database
refuses, and the headers every answer carries (the service holds health and social data).

- A state-changing request signed in by the session cookie must come from the public origin (``Origin``,
  or ``Sec-Fetch-Site: same-origin`` when a browser sends no usable ``Origin``); a refusal is audited.
  So must a browser's sign-in (one with an ``Origin``), or another site could sign it into its account.
  Bearer calls, Twilio's signed webhooks and the WaaS API (its own token) carry no ambient credential.
- ``/docs``, ``/redoc`` and ``/openapi.json`` only when ``public_docs``; ``/metrics`` only to the allowed
  addresses. Both answer 404 otherwise (nothing to learn about what is there).
- Bodies are read here, within their limit (413 before any parsing), then handed on unchanged.
- A NUL (or a lone surrogate) in a query parameter or in any string of a JSON or form body is 422 naming
  the field, before any database work: PostgreSQL cannot store it. Twilio's webhooks are exempt: a
  sentinel's report is stored cleaned rather than refused (``alerts.sms.service``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from html import escape
from ipaddress import ip_address
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from centrale.audit.models import AuditAction, AuditOutcome, AuditPurpose
from centrale.audit.service import Agent, build_event, record_now
from centrale.auth.actor import actor_for_token
from centrale.settings import Settings
from web import container
from web.api.deps import COOKIE_NAME
from web.board.router import allowed_origins

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WEBHOOKS = "/integrations/twilio/"
TOKEN_ONLY = ("/integrations/twilio/", "/waas/")  # authenticated by a signature or a token, never a cookie
DOCS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
METRICS = "/metrics"
SIGN_IN = frozenset({"/login", "/api/v1/auth/login"})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self' {ws}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc (web/docs.py) load only this app's files, with no inline script anywhere; ReDoc builds
# its search index in a worker started from a blob: URL
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; worker-src blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# ReDoc's bundle (styled-components) writes its styles into <style> elements as it loads, before any nonce
# could reach it (its ``nonce`` option is read later, and without those styles it does not start): its page
# alone allows inline STYLES; scripts stay this app's files only
REDOC = "/redoc"
REDOC_CSP = DOCS_CSP.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';")


# in a JSON text these characters can only arrive escaped; in a form or a query, percent-encoded or raw
_JSON_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89abcdefABCDEF])")
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")

CSRF_REFUSED = (
    "Richiesta rifiutata: non proviene dalle pagine della Centrale (origine diversa) "
    "/ request refused: it does not come from the Centrale's own pages (cross-site)"
)
TOO_LARGE = "Richiesta troppo grande / request body too large"


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}".lower()


class TooLarge(Exception):
    """The body went over its limit while it was being read."""


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    """What every answer carries (``Cache-Control`` is added apart: static files may be cached)."""
    public = _origin(settings.public_url)
    ws = "wss://" + public.removeprefix("https://") if public.startswith("https://") else "ws://" + public[7:]
    headers = {
        "content-security-policy": CSP.format(ws=ws),
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        # same-origin, not no-referrer: with no-referrer a browser sends ``Origin: null`` on its own forms
        "referrer-policy": "same-origin",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if public.startswith("https://"):
        headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"
    return list(headers.items())


def bad_text_field(value: Any, path: str = "") -> str | None:
    """The dotted name of the first string (or key) in ``value`` that PostgreSQL cannot store, if any."""
    for name, text in _strings(value, path):
        if _BAD_TEXT.search(text):
            return name or "richiesta"
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, str(key)
            yield from _strings(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def _form_field(raw: bytes) -> str | None:
    """The first field of a form or query string whose name or value holds a NUL."""
    if b"%00" not in raw and b"\x00" not in raw:  # the common case costs one scan
        return None
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8"):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "") or "richiesta"
    return None


def _json_field(body: bytes) -> str | None:
    if not _JSON_SUSPECT.search(body):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:  # not JSON: FastAPI answers for it
        return None
    return bad_text_field(parsed)


def bad_character_sentence(field: str) -> str:
    """The Italian (and English) sentence of a 422 for text that cannot be stored."""
    return (
        f"Il campo «{field}» contiene un carattere non ammesso (carattere nullo o non valido) "
        f"/ field {field} contains a character that cannot be stored"
    )


class SecurityMiddleware:
    """See the module's docstring; one layer, so that a request pays for one wrapper."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.origins = allowed_origins(settings) | {_origin(settings.public_url)}
        self.headers = security_headers(settings)
        self.docs_headers = [(k, DOCS_CSP if k == "content-security-policy" else v) for k, v in self.headers]
        self.redoc_headers = [(k, REDOC_CSP if k == "content-security-policy" else v) for k, v in self.headers]
        self.metrics_networks = settings.metrics_networks()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        send = self._with_headers(send, path)
        if (path in DOCS and not self.settings.public_docs) or (path == METRICS and not self._may_read_metrics(scope)):
            await Response(status_code=404)(scope, receive, send)
            return
        webhook = path.startswith(WEBHOOKS)
        if "\x00" in path:  # a %00 in a path parameter would reach a query's WHERE
            await self._refuse(scope, receive, send, 422, bad_character_sentence("percorso"), field="percorso")
            return
        if not webhook and (field := _form_field(scope.get("query_string", b""))):
            await self._refuse(scope, receive, send, 422, bad_character_sentence(field), field=field)
            return
        if scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self._needs_origin(path, headers) and not self._same_origin(headers):
            log.warning("cross-site %s %s refused (Origin %s)", scope["method"], path, headers.get("origin", "none"))
            await self._audit_cross_site(scope, headers)
            await self._refuse(scope, receive, send, 403, CSRF_REFUSED)
            return
        limit = self.settings.max_webhook_bytes if webhook else self.settings.max_body_bytes
        try:
            body = await _read_body(receive, headers, limit)
        except TooLarge:
            await self._refuse(scope, receive, send, 413, TOO_LARGE)
            return
        if not webhook and (field := _body_field(body, headers)):
            await self._refuse(scope, receive, send, 422, bad_character_sentence(field), field=field)
            return
        await self.app(scope, _replay(body, receive), send)

    def _with_headers(self, send: Send, path: str) -> Send:
        extra = self.redoc_headers if path == REDOC else self.docs_headers if path in DOCS else self.headers
        cacheable = path.startswith("/static/")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in extra:
                    headers[key] = value
                if not cacheable:  # everything else may carry personal data: no copy in any cache
                    headers["cache-control"] = "no-store"
            await send(message)

        return sending

    def _may_read_metrics(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not client:
            return False
        try:
            address = ip_address(client[0])
        except ValueError:
            return False
        return any(address in network for network in self.metrics_networks)

    @staticmethod
    def _needs_origin(path: str, headers: Headers) -> bool:
        """Only the session cookie is sent by a browser on its own: only it can be ridden by another site."""
        # a bearer token wins over the cookie (``web.api.deps.session_token``); a page cannot set one cross-site
        if path.startswith(TOKEN_ONLY) or headers.get("authorization", "").lower().startswith("bearer "):
            return False
        if path in SIGN_IN and "origin" in headers:  # a browser's sign-in: another site may not sign it in
            return True
        return f"{COOKIE_NAME}=" in headers.get("cookie", "")

    def _same_origin(self, headers: Headers) -> bool:
        origin = headers.get("origin")
        if origin and origin != "null":
            return origin.lower() in self.origins
        # no Origin (or "null", as some privacy settings send): the browser's own say, which a page cannot forge
        return headers.get("sec-fetch-site") == "same-origin"

    async def _audit_cross_site(self, scope: Scope, headers: Headers) -> None:
        conn = HTTPConnection(scope)
        source = conn.client.host if conn.client else None
        db = container.database(conn)
        token = conn.cookies.get(COOKIE_NAME)
        actor = await actor_for_token(db, token, source) if token else None
        agent = actor.agent() if actor else Agent(None, "sessione non valida" if token else None, None, None, source)
        where = headers.get("origin") or f"Sec-Fetch-Site {headers.get('sec-fetch-site', 'assente')}"
        await record_now(
            db.sessionmaker,
            build_event(
                agent=agent,
                action=AuditAction.EXECUTE,
                subtype="csrf",
                entity_type="Route",
                entity_id=f"{scope['method']} {scope['path']}"[:64],
                person_id=None,
                outcome=AuditOutcome.DENIED,
                outcome_desc=f"richiesta da un'altra origine: {where}"[:300],
                purpose=AuditPurpose.HOPERAT,
            ),
        )

    @staticmethod
    async def _refuse(
        scope: Scope, receive: Receive, send: Send, status: int, sentence: str, *, field: str | None = None
    ) -> None:
        """JSON for the APIs (and the board's own calls, and whoever sent or asks JSON), a short page for a
        browser's form."""
        path: str = scope["path"]
        response: Response
        headers = Headers(scope=scope)
        program = "json" in headers.get("accept", "") or "json" in headers.get("content-type", "")
        if path.startswith(("/api/", "/waas/", "/integrations/", "/board/")) or program:
            content: dict[str, str] = {"detail": sentence}
            if field:
                content["field"] = field
            response = JSONResponse(content, status_code=status)
        else:
            response = HTMLResponse(
                f'<!doctype html><html lang="it"><meta charset="utf-8"><title>Richiesta non accettata</title>'
                f"<main><h1>Richiesta non accettata</h1><p>{escape(sentence)}</p>"
                f'<p><a href="/">Torna alla Centrale</a></p></main></html>',
                status_code=status,
            )
        await response(scope, receive, send)


async def _read_body(receive: Receive, headers: Headers, limit: int) -> bytes:
    """The whole body, or ``TooLarge`` as soon as it is known to pass ``limit`` (declared or streamed)."""
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: the app sees it too
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _body_field(body: bytes, headers: Headers) -> str | None:
    if not body:
        return None
    kind = headers.get("content-type", "")
    if "json" in kind:
        return _json_field(body)
    if "x-www-form-urlencoded" in kind:
        return _form_field(body)
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the body read here on, then waits for the client like the original."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def install(app: Any, settings: Settings) -> None:
    """Put the guard in front of every route (``web/app.py``)."""
    app.add_middleware(SecurityMiddleware, settings=settings)
