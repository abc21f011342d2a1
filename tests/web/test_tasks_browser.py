"""In real Chromium at a phone viewport: a tutor sees today's tasks and marks them done, and the
coordinator's live board, open in another browser, shows them done without a reload.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlmodel import col, select

from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Condominio
from centrale.db import Database
from centrale.demo import DEMO_PASSWORD, seed_demo
from centrale.events.service import commit, events_after, last_seq
from centrale.operators.models import Operator
from centrale.tasks.models import TaskCreate, TaskType
from centrale.tasks.service import create_task
from tests.web.live_server import free_port
from tests.web.test_cases_browser import ARGS, CHROMIUM
from web.schema import metadata

pytestmark = pytest.mark.browser
T = TypeVar("T")


async def _prepare(url: str) -> dict[str, int]:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with db.sessionmaker() as session:
        await seed_demo(session)
        tutor = (await session.exec(select(Operator).where(col(Operator.username) == "tutor1"))).one()
        person_id = (
            await session.exec(
                select(col(AssistedPerson.person_id))
                .join(Condominio, col(Condominio.id) == col(AssistedPerson.condominio_id))
                .where(col(Condominio.operator_id) == tutor.id)
            )
        ).first()
        assert person_id is not None and tutor.id is not None
        ids = {}
        for name, kind, offset in (
            ("today", TaskType.VISITA_DOMICILIARE, timedelta(minutes=30)),
            ("overdue", TaskType.CONSEGNA_FARMACI, timedelta(hours=-3)),
            ("later", TaskType.TELEFONATA, timedelta(days=3)),
        ):
            start = utcnow() + offset
            task = await create_task(
                session,
                data=TaskCreate(
                    person_id=person_id,
                    type=kind,
                    assignee_id=tutor.id,
                    due_start=start,
                    due_end=start + timedelta(hours=2),
                ),
                created_by_id=None,
            )
            ids[name] = task.id or 0
        await commit(session)
    await db.dispose()
    return ids


async def _events(url: str, after: int) -> list[tuple[str, dict[str, object]]]:
    db = Database(url)
    async with db.sessionmaker() as session:
        found, _mark = await events_after(session, after=after)
    await db.dispose()
    return [(e.kind, e.payload) for e in found]


def _in_thread(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine beside Playwright's own event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _mark(url: str) -> int:
    db = Database(url)
    async with db.sessionmaker() as session:
        seq = await last_seq(session)
    await db.dispose()
    return seq


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, dict[str, int]]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'browser.sqlite3'}"
    ids = asyncio.run(_prepare(url))
    port = free_port()
    env = os.environ | {
        "CENTRALE_DATABASE_URL": url,
        "CENTRALE_ENVIRONMENT": "test",
        "CENTRALE_SCHEDULER_ENABLED": "false",
        "CENTRALE_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("CENTRALE_REDIS_URL", None)
    command = [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--port", str(port)]
    proc = subprocess.Popen([*command, "--host", "127.0.0.1"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, url, ids
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_tutor_marks_todays_task_done_on_a_phone(server: tuple[str, str, dict[str, int]]) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    base, url, ids = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # the coordinator's board, open before the tutor does anything, is never reloaded
        office = browser.new_context(viewport={"width": 1280, "height": 900})
        board = office.new_page()
        board.goto(f"{base}/login")
        board.fill("input[name=username]", "coordinatore")
        board.fill("input[name=password]", DEMO_PASSWORD)
        board.click("button[type=submit]")
        board.goto(f"{base}/")
        expect(board.locator("#conn")).to_have_attribute("data-state", "connected")
        overdue_on_board = board.locator(f'#tasks li[data-task-id="{ids["overdue"]}"]')
        expect(overdue_on_board).to_be_visible()
        expect(board.locator("#done li[data-task-id]")).to_have_count(0)
        board_loads: list[str] = []
        board.on("framenavigated", lambda frame: board_loads.append(frame.url) if frame == board.main_frame else None)

        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = phone.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "tutor1")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{base}/attivita")
        today = page.locator(f'#today li[data-task-id="{ids["today"]}"]')
        expect(today).to_be_visible()
        expect(today).to_contain_text("Visita domiciliare")
        expect(page.locator(f'#later li[data-task-id="{ids["later"]}"]')).to_be_visible()
        # nothing wider than the phone: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        before = _in_thread(_mark(url))
        today.locator("input[name=note]").fill("Tutto bene, spesa fatta")
        today.locator("button[type=submit]").tap()
        expect(page.locator(f'li[data-task-id="{ids["today"]}"]')).to_have_count(0)
        expect(page.locator(f'li[data-task-id="{ids["later"]}"]')).to_be_visible()
        # what the coordinator's live channel receives, in order after what it had seen
        closed = [p for kind, p in _in_thread(_events(url, before)) if kind == "task.closed"]
        assert any(p.get("task_id") == ids["today"] and p.get("state") == "SVOLTA" for p in closed)
        # ... and the board, never reloaded, lists it among today's done tasks
        done_on_board = board.locator(f'#done li[data-task-id="{ids["today"]}"]')
        expect(done_on_board).to_contain_text("Svolta", timeout=5000)
        expect(done_on_board).to_contain_text("Marco Bianchi")
        expect(overdue_on_board).to_be_visible()  # the other one is still late
        # the overdue task, done late: it leaves the overdue panel and joins the done ones
        late = page.locator(f'#today li[data-task-id="{ids["overdue"]}"]')
        late.locator("button[type=submit]").tap()
        expect(page.locator(f'li[data-task-id="{ids["overdue"]}"]')).to_have_count(0)
        expect(overdue_on_board).to_have_count(0, timeout=5000)
        late_done = board.locator(f'#done li[data-task-id="{ids["overdue"]}"]')
        expect(late_done).to_contain_text("Svolta", timeout=5000)
        expect(late_done).to_contain_text("in ritardo")
        expect(board.locator("#conn")).to_have_attribute("data-state", "connected")
        assert board_loads == [], "the board was reloaded"
        desk = browser.new_page()
        desk.goto(f"{base}/login")
        desk.fill("input[name=username]", "coordinatore")
        desk.fill("input[name=password]", DEMO_PASSWORD)
        desk.click("button[type=submit]")
        desk.goto(f"{base}/carico")
        row = desk.locator("table.workload tr", has_text="Marco Bianchi")
        expect(row).to_be_visible()
        assert row.locator("td").nth(4).inner_text() == "1"  # done on time
        browser.close()
