"""The report's alert breakdowns add up to the same total on the demo district (per municipio, per
condominio, by severity), including the alerts of people outside the condomini solidali."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.demo import seed_demo_activity
from alerts.escalation.service import seed_default_policies
from alerts.models import Alert
from centrale.clock import utcnow
from centrale.demo import seed_demo
from centrale.events.service import commit
from integrations.reports.service import district_report


async def test_the_three_alert_totals_agree_on_the_seeded_demo(session: AsyncSession):
    await seed_demo(session)
    await seed_default_policies(session)
    await commit(session)
    await seed_demo_activity(session)
    alerts = (await session.exec(select(func.count()).select_from(Alert))).one()
    now = utcnow()
    report = await district_report(session, start=now - timedelta(days=30), end=now + timedelta(days=1))
    tables = {t.key: t for t in report.tables}
    sums = {
        key: sum(row[1] for row in tables[key].rows)
        for key in ("allerte_municipio", "allerte_condominio", "allerte_priorita")
    }
    assert alerts > 0
    assert sums == dict.fromkeys(sums, alerts)
    assert {tables[key].total for key in sums} == {alerts}
