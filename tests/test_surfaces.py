"""Every surface that changes state names its flow, and calls it: API and page routes, SMS commands, jobs.

A surface added without a flow fails here; so does a guarded flow that no refusal test covers.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # FastAPI before lazy inclusion
    iter_route_contexts = None  # type: ignore[assignment]

import tests.flows
from alerts.sms import triage
from centrale.flows import FLOWS
from centrale.settings import Settings
from web import app as app_module
from web.app import JOB_FLOWS, create_app

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _names_in(fn: Callable[..., Any]) -> set[str]:
    """Every name and attribute a function's body mentions (its calls included)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found


def _all_routes(app: FastAPI) -> list[tuple[str, Any]]:
    """(full path, route) of every route, through included routers (FastAPI >= 0.16x includes lazily)."""
    if iter_route_contexts is None:  # older FastAPI: included routes are copied into app.routes
        return [(getattr(r, "path", ""), r) for r in app.routes]
    return [(ctx.path or "", ctx.original_route) for ctx in iter_route_contexts(app.routes)]


def _write_routes() -> list[tuple[str, APIRoute]]:
    app = create_app(Settings(environment="development", scheduler_enabled=False))
    return [(path, r) for path, r in _all_routes(app) if isinstance(r, APIRoute) and set(r.methods or ()) & WRITES]


def test_every_state_changing_route_names_a_flow_and_calls_it() -> None:
    routes = _write_routes()
    assert len(routes) > 50  # the API and the pages together: the enumeration really found them
    missing, unknown, not_called = [], [], []
    for path, route in routes:
        label = f"{sorted(route.methods or ())} {path}"
        name = (route.openapi_extra or {}).get("x-flow")
        if name is None:
            missing.append(label)
        elif name not in FLOWS:
            unknown.append(f"{label} -> {name}")
        elif FLOWS[name].fn.__name__ not in _names_in(route.endpoint):
            not_called.append(f"{label} -> {name} ({FLOWS[name].fn.__name__})")
    assert (missing, unknown, not_called) == ([], [], [])


def test_every_sms_command_word_has_a_flow_that_triage_calls() -> None:
    words = set(triage.COMMAND.pattern.split("(", 2)[1].split(")", 1)[0].split("|"))
    assert words == set(triage.COMMANDS)
    called = _names_in(triage._command)
    for word, name in triage.COMMANDS.items():
        assert name in FLOWS, word
        assert FLOWS[name].fn.__name__ in called, (word, name)


def test_every_scheduled_job_runs_a_flow() -> None:
    scheduler = app_module.make_scheduler(
        Settings(environment="development", sms_backend="console"),
        None,
        None,
        "test",  # type: ignore[arg-type]
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) <= set(JOB_FLOWS)
    assert {"escalation", "monitoring", "plans", "checkins", "coverage"} <= set(jobs)
    for job_id, names in JOB_FLOWS.items():
        for name in names:
            assert name in FLOWS, (job_id, name)
    source = inspect.getsource(app_module.make_scheduler)
    for names in JOB_FLOWS.values():
        for name in names:
            assert FLOWS[name].fn.__name__ in source, name


def test_every_guarded_flow_is_in_the_refusal_matrix() -> None:
    covered: set[str] = set()
    for module in pkgutil.iter_modules(tests.flows.__path__):
        if module.name.startswith("test_refusals_"):
            covered |= set(importlib.import_module(f"tests.flows.{module.name}").COVERED)
    guarded = {name for name, info in FLOWS.items() if info.guarded}
    assert sorted(guarded - covered) == []
    assert covered <= set(FLOWS)
