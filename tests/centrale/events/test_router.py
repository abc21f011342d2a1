"""GET /api/v1/events: events after a seq, scoped by the need-to-know policy; resumes without gaps."""

from __future__ import annotations

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.events.service import commit, emit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f

E = "/api/v1/events"


async def test_events_are_scoped_and_personal_ones_go_to_their_recipient(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    centrale = await f.org(session, OrgKind.CENTRALE, municipio="IX")
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    colleague = await f.operator(session, Role.COORDINATORE, centrale)
    near = await f.person(session, centrale, municipio="IX")
    far = await f.person(session, await f.org(session, OrgKind.MUNICIPIO, municipio="I"), municipio="I")
    emit(session, kind="alert.opened", entity_type="Alert", entity_id=1, person_id=near.id)
    emit(session, kind="alert.opened", entity_type="Alert", entity_id=2, person_id=far.id)
    emit(session, kind="alert.opened", entity_type="Alert", entity_id=3)
    emit(session, kind="notification.personal", entity_type="Alert", entity_id=3, recipient_operator_id=colleague.id)
    await commit(session)

    mine = f.bearer(await f.token_for(session, coordinator))
    got = await client.get(E, params={"after": 0}, headers=mine)
    assert got.status_code == 200
    assert [e["entity_id"] for e in got.json()["data"]] == ["1", "3"]
    assert got.json()["next_after"] == 4  # the scan covered the hidden ones too: nothing to re-read

    theirs = f.bearer(await f.token_for(session, colleague))
    kinds = [e["kind"] for e in (await client.get(E, params={"after": 0}, headers=theirs)).json()["data"]]
    assert kinds == ["alert.opened", "alert.opened", "notification.personal"]

    # paging by limit resumes from next_after without skipping or repeating
    first = (await client.get(E, params={"after": 0, "limit": 2}, headers=theirs)).json()
    rest = (await client.get(E, params={"after": first["next_after"]}, headers=theirs)).json()
    assert [e["seq"] for e in first["data"] + rest["data"]] == [1, 3, 4]
    bad = await client.get(E, params={"after": -1}, headers=mine)
    assert bad.status_code == 422 and "after" in bad.json()["message"]
    assert (await client.get(E)).status_code == 401
