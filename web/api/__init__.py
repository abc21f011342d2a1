"""The HTTP API: one module per domain, each a thin router over the flows."""
