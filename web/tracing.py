"""OpenTelemetry tracing, only when the standard ``OTEL_*`` variables ask for it (docs/OBSERVABILITY.md).

FastAPI traces requests itself once it is given a tracer provider. Without ``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_TRACES_EXPORTER`` (or with ``OTEL_SDK_DISABLED=true``) its
tracing stays off and nothing of the SDK is imported; with them, ``web/otel.py`` (the ``otel`` extra) is
imported and builds the provider. FastAPI's own OpenTelemetry metrics and logs stay off either way: the
metrics are Prometheus' (``web/metrics.py``), and its logs would carry exception messages, which may hold
personal data.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping

from fastapi.telemetry import TelemetryConfig

VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER")
EXTRA = "pip install 'centrale-operativa[otel]'"


def wanted(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the environment asks for traces."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(env.get(name, "").strip() for name in VARIABLES)


def telemetry(environ: Mapping[str, str] | None = None) -> TelemetryConfig:
    """FastAPI's ``telemetry=`` settings for this environment."""
    config: TelemetryConfig = {"metrics": False, "logs": False, "auto_configure": False}
    if not wanted(environ):
        config["tracing"] = False
        return config
    try:
        otel = importlib.import_module("web.otel")  # the SDK is imported only here, and only when asked for
    except ImportError as error:
        raise RuntimeError(f"OTEL_* asks for traces but the otel extra is missing: {EXTRA}") from error
    config["tracer_provider"] = otel.tracer_provider()
    return config
