"""Refusals of the discharge actions: notify, complete a milestone, move the date, cancel.

A transition in flight for a person the PUA notified, whose case a case manager of municipio IX manages.
Operators without a part in it (a case manager of municipio VII, a colleague of the same office who does
not manage the case, a tutor, an analyst, an administrator) call each flow: refused, nothing changes, and
an audit row DENIED names the flow. The PUA, the case's manager and the coordinator succeed with the same
call, so a refusal cannot come from a malformed request.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import flows
from alerts.discharges.models import Discharge, DischargeMilestone, DischargeNotice, DischargeState
from alerts.discharges.models import Milestone as M
from centrale.auth.actor import Actor, actor_of
from centrale.cases.models import CareTeamMember
from centrale.clock import ROME
from centrale.db import Database
from centrale.errors import Refused
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.uow import Tx
from tests import factories as f
from tests.alerts.discharges.helpers import notice, notify_as, ward
from tests.flows.common import Who, cast_of, denials

COVERED: set[str] = {"discharge.notify", "discharge.complete_milestone", "discharge.move_date", "discharge.cancel"}
OUTSIDERS = ("case manager VII", "collega", "tutor", "analista", "amministratore")
T0 = datetime(2026, 3, 3, 10, 0, tzinfo=ROME)


async def _state(database: Database) -> tuple[object, ...]:
    async with database.sessionmaker() as s:
        discharges = [(d.state, d.expected_date) for d in (await s.exec(select(Discharge))).all()]
        done = (
            await s.exec(
                select(func.count()).select_from(DischargeMilestone).where(col(DischargeMilestone.done_at).is_not(None))
            )
        ).one()
        events = (await s.exec(select(func.count()).select_from(Event))).one()
        return discharges, done, events


async def _call(database: Database, who: Who, name: str, discharge_id: int, cf: str) -> None:
    actor = await _actor(database, who)
    async with Tx.open(database, actor=actor) as tx:
        if name == "discharge.complete_milestone":
            await flows.complete_milestone(tx, discharge_id=discharge_id, milestone=M.UVM_PRENOTATA)
        elif name == "discharge.move_date":
            await flows.move_date(tx, discharge_id=discharge_id, expected_date=date(2026, 3, 11))
        elif name == "discharge.cancel":
            await flows.cancel(tx, discharge_id=discharge_id, reason="Trasferita in RSA")
        else:
            await flows.notify(tx, notice=NOTICES[cf])
        await tx.commit()


async def _actor(database: Database, who: Who) -> Actor:
    async with database.sessionmaker() as s:
        found = await actor_of(s, who.operator.id or 0)
    assert found is not None
    return found


#: the notice each caller of ``discharge.notify`` sends, by the name the test gives it
NOTICES: dict[str, DischargeNotice] = {}


@pytest.mark.parametrize("name", sorted(COVERED - {"discharge.notify"}))
async def test_only_the_pua_the_case_manager_and_the_coordinator_act_on_a_discharge(
    session: AsyncSession, database: Database, name: str
):
    w = await ward(session, policies=False)
    orgs = {
        "vii": await f.org(session, OrgKind.MUNICIPIO, municipio="VII"),
        "ix": w.municipio,
        "centrale": w.centrale,
    }
    who = await cast_of(
        session,
        orgs,
        {
            "case manager VII": (Role.CASE_MANAGER, "vii"),
            "collega": (Role.CASE_MANAGER, "ix"),
            "tutor": (Role.TUTOR, "ix"),
            "analista": (Role.ANALISTA, "centrale"),
            "amministratore": (Role.AMMINISTRATORE, "centrale"),
        },
    )
    pua = await actor_of(session, w.pua.id or 0)
    assert pua is not None
    with time_machine.travel(T0, tick=False):
        done = await notify_as(database, pua, notice(w, cf=f.valid_cf(), expected=date(2026, 3, 9)))
        ident = done.discharge.id or 0
        # the coordinator sees the case through the care team (the Centrale follows it)
        session.add(CareTeamMember(case_id=done.discharge.case_id, organisation_id=w.centrale.id or 0,
                                   role="ALTRO", added_by_id=w.pua.id or 0))  # fmt: skip
        await commit(session)
        before = await _state(database)
        for outsider in OUTSIDERS:
            with pytest.raises(Refused):
                await _call(database, who[outsider], name, ident, "")
            assert await denials(database, who[outsider], name, entity_id=ident) == 1, outsider
        assert await _state(database) == before
        allowed = {
            "discharge.complete_milestone": [w.pua, w.case_manager, w.coordinatore],
            "discharge.move_date": [w.pua],
            "discharge.cancel": [w.coordinatore],
        }[name]
        for op in allowed:
            if name == "discharge.complete_milestone":  # each records the next milestone
                actor = await actor_of(session, op.id or 0)
                milestone = [M.UVM_PRENOTATA, M.UVM_SVOLTA, M.PIANO_APPROVATO][allowed.index(op)]
                async with Tx.open(database, actor=actor) as tx:
                    await flows.complete_milestone(tx, discharge_id=ident, milestone=milestone)
                    await tx.commit()
            else:
                await _call(database, Who("", op, ""), name, ident, "")
    after = await _state(database)
    assert after != before
    if name == "discharge.cancel":
        assert after[0] == [(DischargeState.ANNULLATA, date(2026, 3, 9))]


async def test_notifying_is_for_the_pua_case_managers_and_coordinators_and_on_persons_they_may_see(
    session: AsyncSession, database: Database
):
    w = await ward(session, policies=False)
    orgs = {"ix": w.municipio, "centrale": w.centrale, "vii": await f.org(session, OrgKind.MUNICIPIO, municipio="VII")}
    who = await cast_of(
        session,
        orgs,
        {
            "tutor": (Role.TUTOR, "ix"),
            "analista": (Role.ANALISTA, "centrale"),
            "amministratore": (Role.AMMINISTRATORE, "centrale"),
            "case manager VII": (Role.CASE_MANAGER, "vii"),
        },
    )
    known = await f.person(session, w.municipio)  # registered by municipio IX: not the business of VII
    with time_machine.travel(T0, tick=False):
        before = await _state(database)
        for name in ("tutor", "analista", "amministratore"):
            NOTICES[name] = notice(w, cf=f.valid_cf(), expected=date(2026, 3, 9))
            with pytest.raises(Refused):
                await _call(database, who[name], "discharge.notify", 0, name)
            assert await denials(database, who[name], "discharge.notify") == 1, name
        NOTICES["known"] = notice(w, cf=known.codice_fiscale, expected=date(2026, 3, 9))
        with pytest.raises(Refused):
            await _call(database, who["case manager VII"], "discharge.notify", 0, "known")
        assert await denials(database, who["case manager VII"], "discharge.notify", entity_id=known.id) == 1
        assert await _state(database) == before
        await _call(database, Who("", w.case_manager, ""), "discharge.notify", 0, "known")
    async with database.sessionmaker() as s:
        [row] = (await s.exec(select(Discharge))).all()
    assert row.person_id == known.id
