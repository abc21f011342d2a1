"""In real Chromium: Swagger UI (/docs) and ReDoc (/redoc) render the API under the docs' strict
Content-Security-Policy (scripts and styles from this app only, no inline script; ReDoc may apply the
styles it writes itself) with no violation but the one wanted: ReDoc's logo is not fetched from its CDN."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.web.test_cases_browser import ARGS, CHROMIUM, server  # noqa: F401 - the live-server fixture
from web.security import DOCS_CSP, REDOC_CSP

pytestmark = pytest.mark.browser


def test_swagger_ui_and_redoc_render_under_the_strict_policy(server: str) -> None:  # noqa: F811
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    assert httpx.get(f"{server}/docs").headers["content-security-policy"] == DOCS_CSP
    assert httpx.get(f"{server}/redoc").headers["content-security-policy"] == REDOC_CSP
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{server}/docs")
        expect(page.locator("#swagger-ui .information-container .title")).to_contain_text("Centrale Operativa")
        expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
        assert violations == []
        page.goto(f"{server}/redoc")
        expect(page.locator("redoc h1").first).to_contain_text("Centrale Operativa")
        expect(page.locator("redoc .menu-content").first).to_be_visible()  # styled: the operations' side menu
        browser.close()
    # ReDoc's "by Redocly" logo points at its CDN: the policy keeps that request from ever leaving (wanted)
    assert [v for v in violations if "https://cdn.redoc.ly/" not in v] == []
