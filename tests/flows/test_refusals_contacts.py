"""Refusals of the contact flows: only the operator themself and an administrator may read or change how
someone is reached. A coordinator trying someone else's is refused (403), audited once, and nothing changes;
the owner and an administrator succeed with the very same request."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.db import Database
from centrale.operators.contact_models import ContactSettings, OperatorPhone
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.flows.common import Who, denials

COVERED: set[str] = {"contacts.read", "contacts.update", "contacts.add_phone", "contacts.remove_phone"}

RULES = {"quiet_start": "22:00", "quiet_end": "07:00", "rules": {"ALTA": [{"method": "VOCE", "delay_minutes": 0}]}}


async def _state(database: Database, operator_id: int) -> object:
    async with database.sessionmaker() as s:
        phones = (await s.exec(select(OperatorPhone.number).where(col(OperatorPhone.operator_id) == operator_id))).all()
        settings = await s.get(ContactSettings, operator_id)
        return sorted(phones), None if settings is None else (settings.quiet_start, settings.rules)


async def _who(session: AsyncSession, role: Role, kind: OrgKind, name: str) -> Who:
    op = await f.operator(session, role, await f.org(session, kind), phone="+393331230000" if name == "tutor" else None)
    return Who(name, op, await f.token_for(session, op))


@pytest.mark.parametrize("allowed", ["tutor", "admin"])
@pytest.mark.parametrize("flow", sorted(COVERED))
async def test_another_operators_contacts_are_refused_audited_and_unchanged(
    client: httpx.AsyncClient, database: Database, session: AsyncSession, flow: str, allowed: str
) -> None:
    people = {
        "tutor": await _who(session, Role.TUTOR, OrgKind.ETS, "tutor"),
        "coordinator": await _who(session, Role.COORDINATORE, OrgKind.CENTRALE, "coordinator"),
        "admin": await _who(session, Role.AMMINISTRATORE, OrgKind.CENTRALE, "admin"),
    }
    owner = people["tutor"].operator.id
    assert owner is not None
    base = f"/api/v1/operators/{owner}/contacts"
    existing = OperatorPhone(operator_id=owner, number="+390612345678", label="casa", voice=True)
    session.add(existing)
    await session.commit()
    requests = {
        "contacts.read": ("GET", base, None),
        "contacts.update": ("PUT", base, RULES),
        "contacts.add_phone": ("POST", f"{base}/phones", {"number": "+393471112222", "sms": True}),
        "contacts.remove_phone": ("DELETE", f"{base}/phones/{existing.id}", None),
    }
    method, url, body = requests[flow]
    before = await _state(database, owner)

    refused = people["coordinator"]
    r = await client.request(method, url, json=body, headers=refused.headers)
    assert r.status_code == 403, r.text
    assert await _state(database, owner) == before
    assert await denials(database, refused, flow, entity_id=owner) == 1

    r = await client.request(method, url, json=body, headers=people[allowed].headers)
    assert r.status_code in (200, 201, 204), r.text
    if flow == "contacts.read":
        assert r.json()["phones"][0]["number"] == "+390612345678"
    else:
        assert await _state(database, owner) != before
