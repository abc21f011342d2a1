"""Who sees a person-less alert (the district within its municipio, the building's operator); who may acknowledge."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts import access
from alerts.access import alert_visibility, may_acknowledge
from alerts.models import Alert, AlertSource, Channel, Notification, Severity
from alerts.raising import raise_alert
from centrale.auth.actor import actor_from
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from web.board.snapshot import open_alerts


async def test_building_alert_reaches_its_municipio_only_and_the_board_agrees(session: AsyncSession) -> None:
    tutor_org = await f.org(session, OrgKind.MUNICIPIO)
    tutor = await f.operator(session, Role.TUTOR, tutor_org)
    cond = await f.condominio(session, tutor)  # municipio IX
    raised = await raise_alert(
        session,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=Severity.ALTA,
        summary="Guasto",
        condominio_id=cond.id,
    )
    await commit(session)
    here, far = (
        await f.org(session, OrgKind.CENTRALE, municipio="IX"),
        await f.org(session, OrgKind.CENTRALE, municipio="I"),
    )
    not_centrale = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
    asl_far = await f.org(session, OrgKind.ASL_PUA, municipio="I")
    cases = [
        (actor_from(await f.operator(session, Role.COORDINATORE, here), here), True),
        (actor_from(tutor, tutor_org), True),
        (actor_from(await f.operator(session, Role.COORDINATORE, far), far), False),
        (actor_from(await f.operator(session, Role.COORDINATORE, not_centrale), not_centrale), False),
        (actor_from(await f.operator(session, Role.OPERATORE_PUA, asl_far), asl_far), False),
    ]
    for actor, sees in cases:
        api = (await session.exec(select(col(Alert.id)).where(alert_visibility(actor)))).all()
        board = [card["id"] for card in await open_alerts(session, actor)]
        assert (list(api) == [raised.alert.id]) is sees, actor.role
        assert board == list(api)


async def test_acknowledging_follows_the_escalation_and_the_district(session: AsyncSession) -> None:
    """Notified of the alert: yes, whoever they are; the Centrale and PUA of the municipio: yes; no one else."""
    tutor_org = await f.org(session, OrgKind.ETS, municipio=None)
    tutor = await f.operator(session, Role.TUTOR, tutor_org)
    cond = await f.condominio(session, tutor)  # municipio IX
    raised = await raise_alert(
        session,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=Severity.ALTA,
        summary="Guasto",
        condominio_id=cond.id,
    )
    await commit(session)
    alert_id = raised.alert.id
    assert alert_id is not None
    here, far = (
        await f.org(session, OrgKind.CENTRALE, municipio="IX"),
        await f.org(session, OrgKind.ASL_PUA, municipio="VII"),
    )
    coordinator = actor_from(await f.operator(session, Role.COORDINATORE, here), here)
    pua_far = await f.operator(session, Role.OPERATORE_PUA, far)
    the_tutor = actor_from(tutor, tutor_org)
    assert await access.sees(session, the_tutor, alert_id)  # the tutor sees the building's alert...
    assert not await may_acknowledge(session, the_tutor, alert_id)  # ...but the escalation has not called on them
    assert await may_acknowledge(session, coordinator, alert_id)
    assert not await may_acknowledge(session, actor_from(pua_far, far), alert_id)
    for op in (tutor, pua_far):  # the escalation reaches them: now they may
        assert op.id is not None
        session.add(
            Notification(
                alert_id=alert_id,
                escalation_round=1,
                step_index=0,
                recipient=f"operator:{op.id}",
                recipient_operator_id=op.id,
                channel=Channel.SMS,
                role=op.role.value,
                body="x",
            )
        )
    await commit(session)
    assert await may_acknowledge(session, the_tutor, alert_id)
    assert await may_acknowledge(session, actor_from(pua_far, far), alert_id)
