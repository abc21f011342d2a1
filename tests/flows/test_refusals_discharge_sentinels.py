"""Refusals of telling a building's sentinels the day a person comes home (``discharge.tell_sentinels``).

A transition in flight for a person of municipio IX followed in a condominio with one sentinel. A case
manager of municipio VII, a tutor and the case manager of the same office who does not manage the case
press the file's button: 403, no SMS goes, and an audit row DENIED names the flow. The case's own manager
pressing it tells the sentinel, so a refusal cannot come from a malformed request.
"""

from __future__ import annotations

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.models import Discharge
from centrale.db import Database
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f
from tests.flows.common import cast_of, denials
from tests.web.test_pages_discharges import notice
from web.api.deps import COOKIE_NAME

COVERED: set[str] = {"discharge.tell_sentinels"}
PHONE = "+393330000888"


async def test_only_those_who_act_on_the_discharge_may_tell_the_sentinels(
    client: httpx.AsyncClient, session: AsyncSession, database: Database, app: object
) -> None:
    orgs = {
        "pua": await f.org(session, OrgKind.ASL_PUA),
        "ix": await f.org(session, OrgKind.MUNICIPIO, municipio="IX"),
        "vii": await f.org(session, OrgKind.MUNICIPIO, municipio="VII"),
        "coop": await f.org(session, OrgKind.ETS),
    }
    hospital = await f.org(session, OrgKind.OSPEDALE)
    cast = {
        "pua": (Role.OPERATORE_PUA, "pua"),
        "manager": (Role.CASE_MANAGER, "ix"),
        "colleague": (Role.CASE_MANAGER, "ix"),
        "case manager VII": (Role.CASE_MANAGER, "vii"),
        "tutor": (Role.TUTOR, "coop"),
    }
    who = await cast_of(session, orgs, cast)
    client.cookies.set(COOKIE_NAME, who["pua"].token)
    form = notice(hospital.id or 0, f.valid_cf(903), who["manager"].operator.id or 0)
    assert (await client.post("/dimissioni/nuova", data=form)).status_code == 303
    discharge = (await session.exec(select(Discharge))).one()
    person = await session.get(Person, discharge.person_id)
    assert person is not None
    building = await f.condominio(session)
    await f.assisted(session, building, person, alias="C7")
    await f.sentinel(session, building, phone=PHONE)
    sender = app.state.sms_sender  # type: ignore[attr-defined]
    assert isinstance(sender, ConsoleSmsSender)
    target = f"/casi/{discharge.case_id}/dimissione/sentinelle"

    for name in ("case manager VII", "tutor", "colleague"):
        client.cookies.set(COOKIE_NAME, who[name].token)
        r = await client.post(target)
        assert r.status_code == 403, (name, r.status_code)
        assert "Operazione non consentita" in r.text
        assert await denials(database, who[name], "discharge.tell_sentinels", entity_id=discharge.id) == 1, name
    assert [m for m in sender.sent if m.to == PHONE] == []

    client.cookies.set(COOKIE_NAME, who["manager"].token)
    r = await client.post(target)
    assert r.status_code == 303
    assert [m.to for m in sender.sent if m.to == PHONE] == [PHONE]
