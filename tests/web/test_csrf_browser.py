"""In real Chromium: a page of another origin (another port of 127.0.0.1, the same "site" for SameSite
cookies, so the session cookie IS sent) auto-submits forms to a case's diary and to the alerts API. The
Centrale answers 403, stores nothing and audits the attempt (the other browser tests post from its own pages)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from alerts.models import Alert, AlertSource, AlertState, Severity
from alerts.raising import raise_alert
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.cases.models import Case, DiaryEntry
from centrale.db import Database
from centrale.demo import DEMO_PASSWORD
from centrale.events.service import commit
from tests.web.test_cases_browser import ARGS, CHROMIUM, server  # noqa: F401 - the live-server fixture

pytestmark = pytest.mark.browser


def _database(tmp_path: Path) -> Database:
    return Database(f"sqlite+aiosqlite:///{tmp_path / 'browser.sqlite3'}")  # the live server's file


async def _case_and_alert(tmp_path: Path) -> tuple[int, int]:
    db = _database(tmp_path)
    async with db.sessionmaker() as session:
        case = (await session.exec(select(Case).order_by(col(Case.id)))).first()
        assert case is not None and case.id is not None
        raised = await raise_alert(
            session, source=AlertSource.OPERATORE, severity=Severity.ALTA, summary="Prova", person_id=case.person_id
        )
        await commit(session)
        assert raised.alert.id is not None
        found = case.id, raised.alert.id
    await db.dispose()
    return found


async def _stored(tmp_path: Path, alert_id: int) -> tuple[int, AlertState, int]:
    """Diary lines, the alert's state, and the cross-site refusals audited."""
    db = _database(tmp_path)
    async with db.sessionmaker() as session:
        lines = (await session.exec(select(func.count()).select_from(DiaryEntry))).one()
        alert = await session.get(Alert, alert_id)
        assert alert is not None
        refused = (
            await session.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(col(AuditEvent.subtype) == "csrf", col(AuditEvent.outcome) == AuditOutcome.DENIED)
            )
        ).one()
    await db.dispose()
    return int(lines), alert.state, int(refused)


def _form(action: str, fields: dict[str, str]) -> bytes:
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    return (
        f'<!doctype html><html><body><form method="post" action="{action}">{inputs}</form>'
        "<script>document.forms[0].submit()</script></body></html>"
    ).encode()


@pytest.fixture
def elsewhere() -> Iterator[tuple[str, dict[str, bytes]]]:
    """Another origin: a server on another port that serves the pages a test puts in its dictionary."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", pages
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_forms_posted_from_another_origin_are_refused(
    server: str,  # noqa: F811
    elsewhere: tuple[str, dict[str, bytes]],
    tmp_path: Path,
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import Response, sync_playwright

    case_id, alert_id = asyncio.run(_case_and_alert(tmp_path))
    other, pages = elsewhere
    pages["/diario"] = _form(f"{server}/casi/{case_id}/diario", {"kind": "NOTA", "text": "Scritto da un altro sito"})
    pages["/presa-visione"] = _form(f"{server}/api/v1/alerts/{alert_id}/acknowledge", {})

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "coordinatore")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")

        for path, target in (("/diario", f"/casi/{case_id}/diario"), ("/presa-visione", "/acknowledge")):

            def posted(response: Response, target: str = target) -> bool:
                return response.request.method == "POST" and target in response.url

            with page.expect_response(posted) as got:
                page.goto(other + path)
            answer = got.value
            assert answer.status == 403, (path, answer.status)
            assert "non proviene dalle pagine" in answer.text()
        browser.close()

    lines, state, refused = asyncio.run(_stored(tmp_path, alert_id))
    assert (lines, state, refused) == (0, AlertState.NUOVA, 2)
