"""The registry of flows: every state change a person or a job can cause has exactly one.

A flow is an async function that takes a unit of work (``centrale.uow.Tx``) first and keyword
arguments after it. It authorises on the object with the need-to-know policy (``tx.deny`` records a
refusal and returns the domain error to raise), audits (``tx.audit``), changes, emits (``tx.emit``) and
leaves the commit to its caller (the surface, which calls ``tx.commit()``). ``@flow("task.close")``
registers it; every surface that changes state names the flow it calls — an API or page route with
``openapi_extra={"x-flow": name}`` (``web.api.deps.flow_route``), an SMS command word in
``alerts.sms.triage.COMMANDS``, a scheduled job in ``web.app.JOB_FLOWS`` — and
``tests/test_surfaces.py`` fails on a surface that names none, or names one it does not call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class FlowInfo:
    """A registered flow: its name, its function, and whether it authorises on a person's object.

    ``guarded`` is False only for flows whose caller is not an operator acting on someone's data: the
    system's jobs, signing in, a Twilio-signed webhook. Every guarded flow is in the refusal matrix.
    """

    name: str
    fn: Callable[..., Any]
    guarded: bool


FLOWS: dict[str, FlowInfo] = {}


def flow(name: str, *, guarded: bool = True) -> Callable[[F], F]:
    """Register ``fn`` as the one flow of the action ``name`` (dotted: ``domain.verb``)."""

    def register(fn: F) -> F:
        if name in FLOWS and FLOWS[name].fn is not fn:
            raise RuntimeError(f"flow {name!r} registered twice")
        FLOWS[name] = FlowInfo(name=name, fn=fn, guarded=guarded)
        fn.__flow__ = name  # type: ignore[attr-defined]
        return fn

    return register
