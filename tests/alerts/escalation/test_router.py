"""Escalation policies over HTTP: administrators edit, coordinators read, others are refused."""

from __future__ import annotations

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f

P = "/api/v1/escalation-policies"
STEPS = [
    {"role": "TUTOR", "channels": ["BACHECA", "SMS"], "wait_minutes": 10},
    {"role": "COORDINATORE_DI_TURNO", "channels": ["PERSONALE"], "wait_minutes": 0, "office_hours": True},
]


async def _headers(session: AsyncSession, role: Role) -> dict[str, str]:
    op = await f.operator(session, role, await f.org(session, OrgKind.CENTRALE))
    return f.bearer(await f.token_for(session, op))


async def test_administrator_creates_edits_and_deactivates_a_policy(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await _headers(session, Role.AMMINISTRATORE)
    made = await client.post(P, json={"name": "Notturna", "severity": "ALTA", "steps": STEPS}, headers=admin)
    assert made.status_code == 201, made.text
    policy_id = made.json()["id"]
    assert made.json()["steps"][1]["office_hours"] is True
    changed = await client.patch(f"{P}/{policy_id}", json={"ack_timeout_minutes": 15}, headers=admin)
    assert changed.status_code == 200 and changed.json()["ack_timeout_minutes"] == 15
    twice = await client.post(P, json={"name": "Notturna", "steps": STEPS}, headers=admin)
    assert twice.status_code == 409
    assert (await client.delete(f"{P}/{policy_id}", headers=admin)).status_code == 204
    coordinator = await _headers(session, Role.COORDINATORE)
    listed = await client.get(P, headers=coordinator)
    assert [(p["name"], p["active"]) for p in listed.json()] == [("Notturna", False)]


async def test_only_administrators_edit_and_bad_steps_name_the_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    coordinator = await _headers(session, Role.COORDINATORE)
    refused = await client.post(P, json={"name": "Mia", "steps": STEPS}, headers=coordinator)
    assert refused.status_code == 403
    admin = await _headers(session, Role.AMMINISTRATORE)
    assert (await client.get(P, headers=admin)).json() == []  # the refused one was not created
    bad = await client.post(
        P, json={"name": "Rotta", "steps": [{"role": "TUTOR", "channels": [], "wait_minutes": 5}]}, headers=admin
    )
    assert bad.status_code == 422 and "steps.0.channels" in bad.json()["message"]
    tutor = await _headers(session, Role.TUTOR)
    assert (await client.get(P, headers=tutor)).status_code == 403
