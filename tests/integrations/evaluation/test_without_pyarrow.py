"""Without the "evaluation" extra (pyarrow) the app runs, CSV exports, and Parquet says which extra to install."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from integrations.evaluation import panel
from tests import factories as f

PERIOD = {"from": "2024-05-01", "to": "2024-06-30"}


def test_the_app_imports_without_pyarrow() -> None:
    code = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None\n"
        "import web.app, integrations.evaluation.panel as p\n"
        "assert not p.parquet_available()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


async def test_parquet_without_the_extra_names_the_extra_in_italian(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyst = await f.operator(session, Role.ANALISTA, await f.org(session, OrgKind.CENTRALE))
    headers = f.bearer(await f.token_for(session, analyst))
    monkeypatch.setattr(panel, "PARQUET", False)
    answer = await client.get("/api/v1/evaluation/panel.parquet", params=PERIOD, headers=headers)
    assert answer.status_code == 501
    detail = answer.json()["detail"]
    assert 'installare l\'extra "evaluation"' in detail and "centrale-operativa[evaluation]" in detail
    csv = await client.get("/api/v1/evaluation/panel.csv", params=PERIOD, headers=headers)
    assert csv.status_code == 200 and csv.text.startswith("pseudonimo,")
