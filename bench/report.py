"""The results as Markdown tables (printed, and pasted into docs/BENCHMARKS.md)."""

from __future__ import annotations

from typing import Any

from bench.history import table as history_table


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _webhook(name: str, res: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    workers = res.get("workers", 1)
    lines += [f"One instance, {workers} uvicorn worker process{'es' if workers > 1 else ''} (baseline alike).", ""]
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


def _board_latency(name: str, res: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    bus = "Redis bus" if res["instances"] > 1 else "in-process bus"
    lines += [
        f"{res['clients']} board clients over {res['instances']} instance(s) ({res.get('backend', 'postgresql')}, "
        f"{bus}), SMS at {res['rate']:.0f}/s.",
        "",
        "| run | clients connected | SMS answered 2xx | deliveries | missing | p50 ms | p99 ms | max ms "
        "| server KiB / idle client | client KiB / client |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(res["runs"]):
        lat = r["latency_ms"]
        lines.append(
            f"| {i + 1} | {r['connected']} | {r['sms_ok']} | {r['deliveries']} | {r['missing']} | {_ms(lat['p50'])} "
            f"| {_ms(lat['p99'])} | {_ms(lat['max'])} | {r['server_rss_delta_kib_per_client']:.1f} "
            f"| {r['client_rss_kib_per_client']:.1f} |"
        )
    lines += [
        "",
        f"Median over runs: p50 **{_ms(res['p50_ms_median_of_runs'])} ms**, p99 **{_ms(res['p99_ms_median_of_runs'])} "
        f"ms** (target ≤ 150 ms); server memory per idle client **{res['server_kib_per_idle_client']:.1f} KiB** "
        "(target ≤ 50 KiB).",
        "",
    ]
    return lines


def _snapshot(res: dict[str, Any]) -> list[str]:
    snap = res["snapshot_ms"]
    return [
        "### board-snapshot",
        "",
        f"{res['open_alerts']} open alerts, {res['samples']} clients connecting one after another: snapshot "
        f"p50 **{_ms(snap['p50'])} ms**, p90 {_ms(snap['p90'])} ms, p99 **{_ms(snap['p99'])} ms**, "
        f"max {_ms(snap['max'])} ms (target ≤ 250 ms).",
        "",
    ]


def _escalation(res: dict[str, Any]) -> list[str]:
    late = res["lateness_ms"]
    return [
        "### escalation",
        "",
        f"{res['open_alerts']} open alerts and {res['tasks']} tasks (bulk load {res['bulk_load_s']} s), "
        f"{res['instances']} instances ticking every {res['tick_seconds']} s; {res['measured_steps']} steps "
        f"falling due at {res['due_rate_per_s']:.0f}/s: run {res['steps_run']}, not run {res['not_run']}, duplicates "
        f"{res['duplicates']}. Lateness p50 **{_ms(late['p50'])} ms**, p90 {_ms(late['p90'])} ms, p99 "
        f"**{_ms(late['p99'])} ms**, max {_ms(late['max'])} ms (target p99 ≤ 10 s).",
        "",
    ]


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
        if "error" in res:
            lines += [f"### {name}", "", "failed:", "```", res["error"][-1500:], "```", ""]
        elif name.startswith("webhook-"):
            lines += _webhook(name, res)
        elif name.startswith("board-latency"):
            lines += _board_latency(name, res)
        elif name == "board-snapshot":
            lines += _snapshot(res)
        elif name == "escalation":
            lines += _escalation(res)
        elif name == "history":
            lines += [f"### {name}", "", f"Data: {res['data']}.", "", history_table(res), ""]
        else:
            lines += [f"### {name}", "", "```", str(res), "```", ""]
    return "\n".join(lines)
