"""The results as Markdown tables (printed, and pasted into docs/BENCHMARKS.md)."""

from __future__ import annotations

from typing import Any


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _webhook(name: str, res: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    lines += [
        "| server | rate (SMS/s) | p50 ms (median of runs) | p99 ms (median of runs) | p99 ms (worst run) "
        "| non-2xx / sent | server CPU ms / request |"
    ]
    lines += ["|---|---:|---:|---:|---:|---:|---:|"]
    for who in ("baseline", "app"):
        for row in res.get(who, {}).get("rates", []):
            lines.append(
                f"| {who} | {row['rate']:.0f} | {_ms(row['p50_ms']['median'])} | {_ms(row['p99_ms']['median'])} "
                f"| {_ms(row['p99_ms']['worst'])} | {row['errors']} / {row['sent']} "
                f"| {_ms(row['cpu_ms_per_request']['median'])} |"
            )
    lines.append("")
    b = res.get("baseline", {}).get("max", {}).get("max_rate")
    a = res.get("app", {}).get("max", {}).get("max_rate")
    ratio = res.get("ratio")
    lines.append(
        f"Highest rate held with p99 < 100 ms and no errors: app **{a} SMS/s**, baseline **{b} SMS/s**, "
        f"ratio **{'–' if ratio is None else f'{ratio:.0%}'}** (target ≥ 25 %)."
    )
    cpu_ratio = res.get("cpu_ratio")
    if cpu_ratio:
        lines.append(
            f"Server CPU per request, baseline / app at 50 SMS/s: **{cpu_ratio:.0%}** — the capacity ratio per "
            "core, which the other processes on the machine disturb least."
        )
    if "stored_messages" in res:
        lines.append(f"Messages stored: {res['stored_messages']} for {res['answered_2xx']} answered 2xx (never fewer).")
    lines.append("")
    return lines


def markdown(out: dict[str, Any]) -> str:
    """Every scenario that ran, as Markdown."""
    m = out["machine"]
    lines = [
        f"Command: `{out['command']}` — {out['runs']} run(s) of {out['duration_s']} s per point, "
        f"started {out['started']}, {out.get('elapsed_s', '?')} s in all.",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}, {m['redis']}; load average at start {m['load_average_at_start']}.",
        "",
    ]
    for name, res in out["scenarios"].items():
        if name.startswith("webhook-"):
            lines += _webhook(name, res)
        else:
            lines += [f"### {name}", "", "```", str(res), "```", ""]
    return "\n".join(lines)
