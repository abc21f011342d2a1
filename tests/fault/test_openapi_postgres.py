"""The OpenAPI surface on PostgreSQL: schemathesis with 50 examples per operation and the stateful phase,
signed in as a coordinator, never gets a 5xx (characters PostgreSQL refuses, out-of-range numbers, ...)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.procs import PostgresCluster, Server
from bench.seed import prepare
from centrale.demo import DEMO_PASSWORD
from tests.fault.conftest import app_env

pytestmark = pytest.mark.fault


def test_openapi_surface_on_postgresql_answers_no_5xx(private_postgres: PostgresCluster, logs: Path) -> None:
    url = private_postgres.create_database("centrale_fuzz")
    asyncio.run(prepare(url, sentinels=10))
    env = app_env(url) | {
        "CENTRALE_PSEUDONYM_KEY": "fuzz-only-key-" + "x" * 24,
        "CENTRALE_PUBLIC_DOCS": "true",  # the fuzzer reads the schema (production hides it by default)
    }
    server = Server("web.app:create_app", env, log=logs / "app.log").start()
    try:
        login = httpx.post(
            server.url + "/api/v1/auth/login", json={"username": "coordinatore", "password": DEMO_PASSWORD}
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        cli = Path(sys.executable).with_name("schemathesis")
        args = [str(cli), "run", server.url + "/openapi.json", "--checks", "not_a_server_error"]
        args += ["-H", f"Authorization: Bearer {token}", "--max-examples", "50", "--workers", "2"]
        args += ["--phases", "examples,fuzzing,stateful", "--request-timeout", "20", "--no-color"]
        args += ["--exclude-path", "/api/v1/auth/logout", "--report-dir", str(logs)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    counted = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert counted and int(counted.group(1)) > 1000 and counted.group(1) == counted.group(2), done.stdout[-3000:]
