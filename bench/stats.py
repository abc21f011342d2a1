"""Percentiles and summaries over runs (nearest-rank, no interpolation surprises)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    """Count, median, p90, p99 and max of one run's samples."""
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
    }


def over_runs(runs: Sequence[dict[str, float | int | None]], key: str) -> dict[str, float | None]:
    """Median and worst of one statistic across runs (each run summarised on its own)."""
    vals = [float(r[key]) for r in runs if r.get(key) is not None]  # type: ignore[arg-type]
    if not vals:
        return {"median": None, "worst": None}
    return {"median": statistics.median(vals), "worst": max(vals)}
