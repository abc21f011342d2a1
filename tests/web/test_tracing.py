"""OpenTelemetry: nothing of the SDK without OTEL_*, spans without the query string with it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from web.tracing import telemetry, wanted

# one app built and asked once, in a fresh interpreter (the test process has imported plenty already)
SCRIPT = """
import asyncio, sys
import httpx
from opentelemetry import trace
from centrale.settings import Settings
from web.app import create_app

async def main():
    app = create_app(Settings(environment="test", database_url="sqlite+aiosqlite:///:memory:", scheduler_enabled=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/healthz", params={"q": "Quarantotti"})).status_code == 200
    ours = ("opentelemetry.exporter", "opentelemetry.sdk.trace", "web.otel")
    print("IMPORTED:", sorted(m for m in sys.modules if m.startswith(ours)))
    print("PROVIDER:", type(trace.get_tracer_provider()).__name__)
    if "web.otel" in sys.modules:
        sys.modules["web.otel"].tracer_provider().force_flush()

asyncio.run(main())
"""


def run(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and not k.startswith("CENTRALE_")}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=clean | env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_without_otel_variables_nothing_of_the_sdk_is_imported() -> None:
    out = run({})
    # (redis-py peeks at the SDK's package when it is installed; no exporter, no tracer, no provider is made)
    assert "IMPORTED: []" in out
    assert "PROVIDER: ProxyTracerProvider" in out
    assert '"trace_id"' not in out


def test_with_otel_variables_requests_are_traced_without_their_query() -> None:
    out = run({"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "centrale-prova"})
    assert "'web.otel'" in out and "opentelemetry.exporter" in out
    assert '"name": "GET /healthz"' in out and '"http.route": "/healthz"' in out
    assert '"url.query": "REDACTED"' in out and "centrale-prova" in out
    assert "Quarantotti" not in out


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "x"}, False),  # naming the service alone exports nothing
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
    ],
)
def test_which_variables_turn_tracing_on(environ: dict[str, str], expected: bool) -> None:
    assert wanted(environ) is expected
    assert telemetry({}) == {"metrics": False, "logs": False, "auto_configure": False, "tracing": False}
