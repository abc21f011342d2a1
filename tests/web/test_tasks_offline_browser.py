"""Chromium offline emulation: "Fatto" pressed offline is recorded once after going back online, also when
pressed twice; the kept page shows today's tasks without connection; a task reassigned meanwhile is said in words.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.db import Database
from centrale.demo import DEMO_PASSWORD
from centrale.operators.models import Operator
from centrale.tasks.models import Task, TaskState
from tests.web.test_cases_browser import ARGS, CHROMIUM
from tests.web.test_tasks_browser import _in_thread, server  # noqa: F401 - the live server fixture

pytestmark = pytest.mark.browser


async def _state(url: str, task_id: int) -> tuple[TaskState, int]:
    """The task's state and how many successful task.close audit rows it has."""
    db = Database(url)
    async with db.sessionmaker() as session:
        task = await session.get(Task, task_id)
        assert task is not None
        closes = (
            await session.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    col(AuditEvent.subtype) == "task.close",
                    col(AuditEvent.entity_id) == str(task_id),
                    col(AuditEvent.outcome) == AuditOutcome.SUCCESS,
                )
            )
        ).one()
    await db.dispose()
    return task.state, closes


async def _reassign(url: str, task_id: int, username: str) -> None:
    """The centre moves the task to another tutor while the phone is offline."""
    db = Database(url)
    async with db.sessionmaker() as session:
        other = (await session.exec(select(Operator).where(col(Operator.username) == username))).one()
        task = await session.get(Task, task_id)
        assert task is not None and other.id is not None
        task.assignee_id = other.id
        session.add(task)
        await session.commit()
    await db.dispose()


def test_done_pressed_offline_is_recorded_once_when_back_online(server: tuple[str, str, dict[str, int]]) -> None:  # noqa: F811
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    base, url, ids = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = phone.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "tutor1")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{base}/attivita")
        kept = "navigator.serviceWorker.controller !== null && caches.match('/attivita').then((r) => Boolean(r))"
        for _ in range(300):  # the worker takes the page and keeps it (the page's CSP forbids wait_for_function)
            if page.evaluate(kept):
                break
            time.sleep(0.1)
        else:
            state = page.evaluate(
                "navigator.serviceWorker.getRegistration().then(async (r) => JSON.stringify({"
                "controller: Boolean(navigator.serviceWorker.controller), active: r && r.active && r.active.state,"
                "installing: Boolean(r && r.installing), waiting: Boolean(r && r.waiting),"
                "caches: await caches.keys(), kept: (await (await caches.open('centrale-attivita-v1')).keys())"
                ".map((q) => q.url)}))"
            )
            pytest.fail(f"the service worker did not keep the tutors' page: {state}")

        phone.set_offline(True)
        kept_page = page.reload()  # from the phone: the kept page, today's tasks included
        assert kept_page is not None and kept_page.from_service_worker
        today = page.locator(f'#today li[data-task-id="{ids["today"]}"]')
        expect(today).to_be_visible()
        expect(page.locator("#offline")).to_be_visible()
        today.locator("input[name=note]").fill("Tutto bene")
        today.locator("button[type=submit]").tap()
        today.locator("button[type=submit]").tap()  # no answer seen: pressed again
        expect(today).to_have_class("task queued")
        expect(today.locator(".badge.queued")).to_be_visible()
        expect(page.locator("#notices")).to_contain_text("sarà inviata appena torna la connessione")
        # the overdue one too; the centre moves it to another tutor meanwhile
        late = page.locator(f'#today li[data-task-id="{ids["overdue"]}"]')
        late.locator("button[type=submit]").tap()
        _in_thread(_reassign(url, ids["overdue"], "tutor2"))
        assert _in_thread(_state(url, ids["today"])) == (TaskState.APERTA, 0)  # nothing left the phone
        store = page.evaluate("'centrale.fatto.' + document.getElementById('lists').dataset.me")
        queued = page.evaluate("(store) => localStorage.getItem(store)", store)
        assert queued.count(f'"task":"{ids["today"]}"') == 1  # pressed twice, queued once

        phone.set_offline(False)
        expect(page.locator(f'li[data-task-id="{ids["today"]}"]')).to_have_count(0, timeout=10000)
        notices = page.locator("#notices")
        expect(notices).to_contain_text("registrata")
        expect(notices).to_contain_text("non è più tua (è stata riassegnata)")
        expect(page.locator(f'li[data-task-id="{ids["overdue"]}"]')).to_have_count(0)
        expect(page.locator("#offline")).to_be_hidden()
        assert page.evaluate("localStorage.length") == 0  # the queue is empty

        assert _in_thread(_state(url, ids["today"])) == (TaskState.SVOLTA, 1)

        # another tab that still holds the same queued press (its key) sends it again: answered, not closed twice
        other = phone.new_page()
        other.goto(f"{base}/attivita")
        other.evaluate("([store, queued]) => localStorage.setItem(store, queued)", [store, queued])
        other.reload()
        expect(other.locator("#notices")).to_contain_text("registrata")
        expect(other.locator("#notices")).to_contain_text("non è più tua")
        assert other.evaluate("localStorage.length") == 0
        assert _in_thread(_state(url, ids["today"])) == (TaskState.SVOLTA, 1)
        assert _in_thread(_state(url, ids["overdue"]))[0] == TaskState.APERTA  # not closed by the wrong tutor
        browser.close()
