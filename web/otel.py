"""The tracer provider when OTEL_* asks for traces (imported only then, by ``web/tracing.py``).

The exporter follows ``OTEL_TRACES_EXPORTER`` (``otlp``, the default, over HTTP; or ``console``); the
endpoint, headers, service name and resource attributes are the SDK's own ``OTEL_*`` variables. A span
keeps the route and the path but never the query string (``?q=<a name>`` is a search for a person).
"""

from __future__ import annotations

import os
from functools import lru_cache

from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

SERVICE = "centrale-operativa"
REDACTED = "REDACTED"


class DropQuery(SpanProcessor):
    """Replaces a server span's query string before anything can export it."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if span.attributes and "url.query" in span.attributes:
            span.set_attribute("url.query", REDACTED)


def exporter() -> SpanExporter:
    """Where spans go, as ``OTEL_TRACES_EXPORTER`` says."""
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "console":
        return ConsoleSpanExporter()
    return OTLPSpanExporter()


@lru_cache(maxsize=1)
def tracer_provider() -> TracerProvider:
    """One provider per process, shared by every app instance in it."""
    given = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE}
    provider = TracerProvider(resource=Resource.create(given))
    provider.add_span_processor(DropQuery())
    provider.add_span_processor(BatchSpanProcessor(exporter()))
    return provider
