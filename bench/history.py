"""History pages: closed alerts, search and the SMS log over 10,000 closed alerts and 100,000 messages.

One instance on PostgreSQL (production settings, scheduler off so that nothing else runs), the demo
district, then COPY: 10,000 closed alerts over a year (person or building, every outcome) and 100,000
messages (70,000 received, linked to those alerts, to persons or to nobody; 30,000 escalation SMS sent).
Each page is asked sequentially, signed in by the session cookie as the coordinator (who sees the whole
district) and as a tutor (a few persons: the policy's filter does the work); the same-run baseline is the
same instance's ``/healthz`` (the framework, middleware and client without any work of ours).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from alerts.models import AlertOutcome, AlertSource, AlertState, Channel, DeliveryState, Severity
from alerts.sms.models import InboundState
from bench.bulk import _dsn, _ids
from bench.common import Context
from bench.procs import ScratchPostgres, Server
from bench.seed import prepare
from bench.stats import percentile, summary
from centrale.demo import DEMO_PASSWORD
from web.api.deps import COOKIE_NAME

WORDS = ["non apre la porta", "è caduta in casa", "non risponde al telefono", "sta male", "serve la spesa"]
OUTCOMES = list(AlertOutcome)

#: the pages measured: (name, who, path)
PAGES = [
    ("healthz (baseline)", "coordinatore", "/healthz"),
    ("storico p.1", "coordinatore", "/storico"),
    ("storico esito+p.5", "coordinatore", "/storico?esito=FALSO_ALLARME&pagina=5"),
    ("storico persona+periodo", "coordinatore", "/storico?persona=bian&dal=2026-01-01"),
    ("storico tutor", "tutor1", "/storico"),
    ("cerca persona", "coordinatore", "/cerca?q=bianco"),
    ("cerca parole", "coordinatore", "/cerca?q=non+risponde"),
    ("cerca tutor", "tutor1", "/cerca?q=caduta"),
    ("sms p.1", "coordinatore", "/sms"),
    ("sms inviati p.3", "coordinatore", "/sms?direzione=out&pagina=3"),
    ("sms numero", "coordinatore", "/sms?numero=3331000012"),
]


async def load_history(url: str, *, alerts: int, inbound: int, outbound: int) -> dict[str, int]:
    """Closed alerts and messages by COPY (never through the API), then ANALYZE."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        persons = await _ids(conn, "person")
        condomini = await _ids(conn, "condominio")
        sentinels = await _ids(conn, "sentinel")
        now = datetime.now(UTC)
        rows = []
        for i in range(alerts):
            opened = now - timedelta(minutes=7 + i * 52)  # a year back, one every 52 minutes
            building = i % 10 == 0
            rows.append(
                (
                    AlertSource.SEGNALAZIONE_SENTINELLA.value,
                    Severity.ALTA.value if i % 3 else Severity.MEDIA.value,
                    f"{WORDS[i % len(WORDS)]} ({i})",
                    None if building else persons[i % len(persons)],
                    condomini[i % len(condomini)],
                    AlertState.RISOLTA.value if i % 7 else AlertState.ANNULLATA.value,
                    building,
                    1 + i % 3,
                    opened,
                    opened,
                    opened + timedelta(minutes=30),
                    OUTCOMES[i % len(OUTCOMES)].value if i % 7 else None,
                    "{}",
                    1,
                    0,
                )
            )
        columns = [
            "source", "severity", "summary", "person_id", "condominio_id", "state", "building_level",
            "report_count", "opened_at", "last_report_at", "resolved_at", "outcome", "policy_snapshot",
            "escalation_round", "next_step_index",
        ]  # fmt: skip
        await conn.copy_records_to_table("alert", records=rows, columns=columns)
        alert_ids = [r[0] for r in await conn.fetch("SELECT id, person_id FROM alert ORDER BY id")]
        person_of = {r[0]: r[1] for r in await conn.fetch("SELECT id, person_id FROM alert")}
        messages = []
        for i in range(inbound):
            at = now - timedelta(seconds=30 + i * 315)  # a year back
            alert_id = alert_ids[i % len(alert_ids)] if i % 5 else None
            person_id = person_of[alert_id] if alert_id else (persons[i % len(persons)] if i % 10 == 1 else None)
            state = InboundState.SMISTATO if alert_id or person_id else InboundState.QUARANTENA
            phone = f"+3933310{i % 300:05d}"
            messages.append(
                (
                    f"SMbench{i:010d}",
                    phone,
                    phone,
                    WORDS[i % len(WORDS)],
                    f"B{i:08d}",
                    "Grazie, segnalazione ricevuta",
                    state.value,
                    sentinels[i % len(sentinels)] if state == InboundState.SMISTATO else None,
                    person_id,
                    condomini[i % len(condomini)] if state == InboundState.SMISTATO else None,
                    alert_id,
                    "webhook",
                    "{}",
                    at,
                )
            )
        columns = [
            "message_sid", "from_number", "sender_phone", "body", "receipt_code", "reply", "state",
            "sentinel_id", "person_id", "condominio_id", "alert_id", "source", "params", "received_at",
        ]  # fmt: skip
        await conn.copy_records_to_table("inbound_sms", records=messages, columns=columns)
        sent = []
        for i in range(outbound):
            at = now - timedelta(seconds=20 + i * 1050)
            sent.append(
                (
                    alert_ids[i % len(alert_ids)],
                    1 + i // len(alert_ids),
                    i % 3,
                    f"operator:{i % 5}",
                    Channel.SMS.value,
                    "TUTOR",
                    DeliveryState.CONSEGNATA.value if i % 4 else DeliveryState.INVIATA.value,
                    f"+3933300002{i % 5:02d}",
                    f"Centrale: allerta n. {alert_ids[i % len(alert_ids)]}, rispondi OK",
                    1,
                    f"console-bench-{i}",
                    at,
                    at,
                )
            )
        columns = [
            "alert_id", "escalation_round", "step_index", "recipient", "channel", "role", "state", "to_phone",
            "body", "attempts", "provider_id", "created_at", "sent_at",
        ]  # fmt: skip
        await conn.copy_records_to_table("notification", records=sent, columns=columns)
        for table in ("alert", "inbound_sms", "notification"):
            await conn.execute(f"ANALYZE {table}")
        return {"closed_alerts": alerts, "inbound_sms": inbound, "outbound_sms": outbound}
    finally:
        await conn.close()


def _cookie(base: str, username: str) -> str:
    answer = httpx.post(base + "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _measure(client: httpx.Client, path: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.get(path)
        samples.append((time.perf_counter() - started) * 1000.0)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
    return samples


def scenario(ctx: Context) -> dict[str, Any]:
    """Median and p99 per page over ``ctx.runs`` runs (each run: warm-up, then sequential requests)."""
    sizes = (1_000, 7_000, 3_000) if ctx.quick else (10_000, 70_000, 30_000)
    per_run = 20 if ctx.quick else 100
    pg = ScratchPostgres(ctx.pg_server, name="centrale_bench_history").create()
    app = None
    result: dict[str, Any] = {"runs": ctx.runs, "requests_per_run": per_run, "pages": {}}
    try:
        asyncio.run(prepare(pg.url))
        result["data"] = asyncio.run(load_history(pg.url, alerts=sizes[0], inbound=sizes[1], outbound=sizes[2]))
        app = Server("web.app:create_app", ctx.app_env(pg.url, scheduler=False), log=ctx.log("history-app")).start()
        clients = {
            who: httpx.Client(base_url=app.url, timeout=30.0, cookies={COOKIE_NAME: _cookie(app.url, who)})
            for who in {who for _, who, _ in PAGES}
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in PAGES}
        try:
            for run in range(ctx.runs):
                for name, who, path in PAGES:  # interleaved: each run measures every page in the same minute
                    _measure(clients[who], path, 3)  # warm-up
                    runs[name].append(summary(_measure(clients[who], path, per_run)))
                print(
                    f"history run {run}: " + ", ".join(f"{k} p99 {v[-1]['p99']}" for k, v in runs.items()), flush=True
                )
        finally:
            for client in clients.values():
                client.close()
        for name, who, path in PAGES:
            result["pages"][name] = {
                "who": who,
                "path": path,
                "p50_ms_median_of_runs": percentile([r["p50"] for r in runs[name]], 50),
                "p99_ms_median_of_runs": percentile([r["p99"] for r in runs[name]], 50),
                "p99_ms_worst_run": max(r["p99"] for r in runs[name]),
            }
        return result
    finally:
        if app is not None:
            app.stop()
        pg.drop()


def table(result: dict[str, Any]) -> str:
    """The Markdown table of one run of the scenario."""
    lines = [
        "| page | as | p50 ms (median of runs) | p99 ms (median of runs) | p99 ms (worst run) |",
        "|---|---|---|---|---|",
    ]
    for name, page in result["pages"].items():
        lines.append(
            f"| {name} `{page['path']}` | {page['who']} | {page['p50_ms_median_of_runs']:.1f} "
            f"| {page['p99_ms_median_of_runs']:.1f} | {page['p99_ms_worst_run']:.1f} |"
        )
    return "\n".join(lines)
