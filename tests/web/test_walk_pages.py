"""Every page, as every role: Italian words only (no code, no schedule rule, no English from a library),
an HTML page even when refused or missing, and a menu that offers only what the role may open."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.db import Database
from centrale.operators.models import Role
from tests import factories as f
from tests.conftest import _database_for, clean
from tests.web.walk_common import (
    District,
    domain_codes,
    fill,
    operator_of,
    page_forms,
    page_routes,
    problems_in,
    seed_district,
    visible_text,
)
from web.api.deps import COOKIE_NAME
from web.pages import nav


@pytest.fixture
async def database(tmp_root: Path) -> AsyncIterator[Database]:
    """SQLite only: what a page says does not depend on the database."""
    db = await _database_for("sqlite", tmp_root)
    await clean(db)
    yield db


@pytest.fixture
async def district(session: AsyncSession, client: httpx.AsyncClient) -> District:
    return await seed_district(session, client)


async def _sign_in(client: httpx.AsyncClient, session: AsyncSession, district: District, role: Role) -> None:
    client.cookies.set(COOKIE_NAME, await f.token_for(session, await operator_of(session, district, role)))


def _check(path: str, r: httpx.Response, codes: set[str], lang: str = "it") -> list[str]:
    where = f"{path} -> {r.status_code}"
    if r.status_code >= 500:
        return [f"{where}: server error"]
    if 300 <= r.status_code < 400:
        return []
    kind = r.headers.get("content-type", "")
    if r.status_code == 200 and not kind.startswith("text/html"):
        return []  # a download (the contract's PDF, the FHIR bundle) or what a page's script fetches
    if not kind.startswith("text/html"):
        return [f"{where}: answered {kind} instead of a page"]
    found = [f"{where}: {problem}" for problem in problems_in(visible_text(r.text), codes)]
    if "<html" in r.text and f'<html lang="{lang}"' not in r.text:
        found.append(f"{where}: not marked as a page in the reader's language ({lang})")
    return found


@pytest.mark.parametrize("lang", ["it", "en"])
async def test_every_page_as_every_role_says_words_not_codes(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, district: District, lang: str
) -> None:
    paths = page_routes(app)
    assert "/" in paths and "/casi/{case_id}" in paths and "/attivita" in paths  # the enumeration found them
    codes = domain_codes()
    assert {"COORDINATORE", "PRESO_IN_CARICO", "SERVIZI_SOCIALI", "KATZ_ADL"} <= codes
    failures: list[str] = []
    walked = 0
    for role in Role:
        await _sign_in(client, session, district, role)
        client.cookies.set("lang", lang)  # the language switch's cookie
        for template in paths:
            path = await fill(session, template)
            assert path is not None, f"nothing stored to open {template}: seed it in tests/web/walk_common.py"
            r = await client.get(path)
            walked += r.status_code == 200
            failures += [f"{role}: {line}" for line in _check(path, r, codes, lang)]
            if 300 <= r.status_code < 400 and r.headers["location"].startswith("/"):
                target = await client.get(r.headers["location"])
                moved = f"{path} => {r.headers['location']}"
                failures += [f"{role}: {line}" for line in _check(moved, target, codes, lang)]
    client.cookies.clear()
    client.cookies.set("lang", lang)
    for template in paths:  # and signed out: the sign-in page or a way to it
        path = await fill(session, template)
        assert path is not None
        r = await client.get(path)
        failures += [f"anonymous: {line}" for line in _check(path, r, codes, lang)]
    assert walked > len(paths)  # most pages opened for someone
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", [Role.COORDINATORE, Role.CASE_MANAGER, Role.TUTOR])
async def test_every_page_form_sent_empty_or_wrong_answers_an_italian_page(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, district: District, role: Role
) -> None:
    """A form with nothing in it, or words where numbers and dates go: a page that says why, never JSON
    nor pydantic's or Python's English."""
    forms = page_forms(app)
    assert any(p.startswith("/casi/") for p in forms) and len(forms) > 10
    await _sign_in(client, session, district, role)
    codes = domain_codes()
    failures: list[str] = []
    for template in forms:
        path = await fill(session, template)
        assert path is not None, f"nothing stored to post to {template}"
        for data in ({}, WRONG):
            r = await client.post(path, data=data)
            failures += [f"{role} POST {line}" for line in _check(path, r, codes)]
    assert failures == [], "\n".join(failures)


#: a value of the wrong kind in every field a page form commonly has
WRONG = {
    name: "abc"
    for name in (
        "person_id",
        "case_id",
        "operator_id",
        "organisation_id",
        "to_org_id",
        "provider_0",
        "hours_0",
        "tariff_0",
        "isee",
        "start_date",
        "planned_end",
        "happened_at",
        "due_start",
        "due_end",
        "review_every",
        "score",
        "data_nascita",
        "telefoni",
        "phone",
        "kind",
        "state",
        "role",
        "source",
        "outcome",
        "category",
        "purpose",
        "given",
        "at",
        "every",
        "day",
    )
}


async def test_a_missing_object_is_an_italian_page_for_every_page_with_an_id(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, district: District
) -> None:
    await _sign_in(client, session, district, Role.COORDINATORE)
    failures = []
    for template in page_routes(app):
        if "{" not in template:
            continue
        path = re.sub(r"\{[^}]+\}", "987654", template)
        r = await client.get(path)
        if r.status_code not in (303, 403, 404) or not r.headers["content-type"].startswith("text/html"):
            failures.append(f"{path} -> {r.status_code} {r.headers['content-type']}")
        elif r.status_code != 303 and "<h1" not in r.text:
            failures.append(f"{path} -> {r.status_code}: no title")
    assert failures == [], "\n".join(failures)


async def test_every_menu_link_opens_for_the_role_that_sees_it(
    client: httpx.AsyncClient, session: AsyncSession, district: District
) -> None:
    failures = []
    for role in Role:
        await _sign_in(client, session, district, role)
        entries = nav.entries_for(role)
        for entry in entries:
            r = await client.get(entry.path, follow_redirects=True)
            if r.status_code != 200:
                failures.append(f"{role}: {entry.path} -> {r.status_code}")
        home = await client.get("/", follow_redirects=True)
        shown = [e.path for e in entries if f'href="{e.path}"' in home.text]
        assert shown == [e.path for e in entries], f"{role}: the menu on the page is not the role's"
    assert failures == [], "\n".join(failures)
