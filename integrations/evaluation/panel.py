"""Evaluation panel (INSPIRE's counterfactual evaluation): one row per person per month, pseudonymised.

Pseudonyms are HMAC-SHA256 of the person's id under a key kept in the settings (never in the
repository): stable across exports with the same key, not reversible nor linkable without it. The
panel carries no name, codice fiscale, phone or address; age is a five-year band.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections import Counter
from datetime import UTC, date, datetime, time
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.models import Alert, AlertOutcome, Severity
from centrale.assessments.models import Assessment
from centrale.assessments.scales import ScaleKind, care_intensity
from centrale.cases.models import Case, CaseHistory, CaseState
from centrale.condomini.models import AssistedPerson
from centrale.persons.models import NetworkLink, Person
from centrale.plans.models import Intervention, Plan, PlanStatus

try:  # the "evaluation" extra: Parquet needs pyarrow, a heavy install; CSV works without it
    import pyarrow as pa
    import pyarrow.parquet as pq

    PARQUET = True
except ImportError:
    PARQUET = False

PARQUET_MISSING = (
    'Esportazione in Parquet non disponibile: installare l\'extra "evaluation" '
    "(pip install 'centrale-operativa[evaluation]'); il formato CSV è disponibile / "
    'the Parquet export needs the "evaluation" extra'
)


def parquet_available() -> bool:
    """Whether pyarrow (the "evaluation" extra) is installed."""
    return PARQUET


COLUMNS = [
    "pseudonimo",
    "mese",
    "sesso",
    "fascia_eta",
    "municipio",
    "seguito_centrale",
    "in_condominio_solidale",
    "allerte",
    "allerte_urgenti",
    "invii_ospedale",
    "checkin_mancati",
    "intensita",
    "ore_piano_mese",
]


def pseudonym(key: str, person_id: int) -> str:
    """A keyed pseudonym: HMAC-SHA256(key, person id), 128 bits in hex."""
    return hmac.new(key.encode(), f"persona:{person_id}".encode(), hashlib.sha256).hexdigest()[:32]


def months(first: date, last: date) -> list[date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month += relativedelta(months=1)
    return out


def _bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime.combine(month, time(), UTC)
    return start, start + relativedelta(months=1)


def _age_band(born: date, at: date) -> str:
    age = at.year - born.year - ((at.month, at.day) < (born.month, born.day))
    low = age // 5 * 5
    return f"{low}-{low + 4}"


async def build_panel(session: AsyncSession, *, key: str, first: date, last: date) -> list[dict[str, Any]]:
    """The panel rows for every registered person and every month from ``first`` to ``last``."""
    people = (await session.exec(select(Person).where(col(Person.deleted_at).is_(None)))).all()
    alerts = (await session.exec(select(Alert).where(col(Alert.person_id).is_not(None)))).all()
    missed = (
        await session.exec(
            select(CheckinSchedule.person_id, CheckinRequest.due_at)
            .join(CheckinRequest, col(CheckinRequest.schedule_id) == col(CheckinSchedule.id))
            .where(col(CheckinRequest.state) == CheckinState.MANCATO, col(CheckinSchedule.person_id).is_not(None))
        )
    ).all()
    cases = (await session.exec(select(Case))).all()
    closings = {
        h.case_id: h.at
        for h in (await session.exec(select(CaseHistory).where(col(CaseHistory.to_state) == CaseState.CHIUSO))).all()
    }
    assessments = (await session.exec(select(Assessment).order_by(col(Assessment.assessed_on)))).all()
    networked = set(
        (await session.exec(select(NetworkLink.person_id).where(col(NetworkLink.deleted_at).is_(None)))).all()
    )
    in_condominio = set((await session.exec(select(AssistedPerson.person_id).where(col(AssistedPerson.active)))).all())
    plans = (
        await session.exec(
            select(Plan, Case.person_id)
            .join(Case, col(Case.id) == col(Plan.case_id))
            .where(col(Plan.status) != PlanStatus.BOZZA)
        )
    ).all()
    hours: dict[int, Any] = {}
    for plan, _ in plans:
        items = (await session.exec(select(Intervention).where(col(Intervention.plan_id) == plan.id))).all()
        hours[plan.id or 0] = sum((i.hours_per_month for i in items), start=0)

    rows = []
    for month in months(first, last):
        start, end = _bounds(month)
        month_alerts = [a for a in alerts if start <= a.opened_at < end]
        count = Counter(a.person_id for a in month_alerts)
        urgent = Counter(a.person_id for a in month_alerts if a.severity == Severity.URGENTE)
        hospital = Counter(a.person_id for a in month_alerts if a.outcome == AlertOutcome.INVIO_118)
        checkins = Counter(pid for pid, due in missed if start <= due < end)
        for person in people:  # everyone registered: the people not followed are the comparison group
            pid = person.id or 0
            followed = any(
                c.person_id == pid and c.opened_at < end and (closings.get(c.id or 0) or end) >= start for c in cases
            )
            upto = [
                a for a in assessments if a.person_id == pid and (a.assessed_on or a.created_at.date()) < end.date()
            ]
            barthel = [a for a in upto if a.kind == ScaleKind.BARTHEL]
            inspire = [a for a in upto if a.kind == ScaleKind.INSPIRE]
            intensity = (
                care_intensity(
                    barthel=barthel[-1].total if barthel else None,
                    inspire=inspire[-1].detail.get("profile") if inspire else None,
                    has_support_network=pid in networked,
                )
                if barthel or inspire
                else None
            )
            active = [
                p
                for p, owner in plans
                if owner == pid
                and p.activated_at is not None
                and p.activated_at < end
                and (p.replaced_at is None or p.replaced_at >= start)
            ]
            rows.append(
                {
                    "pseudonimo": pseudonym(key, pid),
                    "mese": month.strftime("%Y-%m"),
                    "sesso": str(person.sesso),
                    "fascia_eta": _age_band(person.data_nascita, month),
                    "municipio": person.municipio,
                    "seguito_centrale": followed,
                    "in_condominio_solidale": pid in in_condominio,
                    "allerte": count[pid],
                    "allerte_urgenti": urgent[pid],
                    "invii_ospedale": hospital[pid],
                    "checkin_mancati": checkins[pid],
                    "intensita": str(intensity) if intensity else None,
                    "ore_piano_mese": float(hours[active[-1].id or 0]) if active else 0.0,
                }
            )
    return rows


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_parquet(rows: list[dict[str, Any]]) -> bytes:
    schema = pa.schema(
        [
            ("pseudonimo", pa.string()),
            ("mese", pa.string()),
            ("sesso", pa.string()),
            ("fascia_eta", pa.string()),
            ("municipio", pa.string()),
            ("seguito_centrale", pa.bool_()),
            ("in_condominio_solidale", pa.bool_()),
            ("allerte", pa.int32()),
            ("allerte_urgenti", pa.int32()),
            ("invii_ospedale", pa.int32()),
            ("checkin_mancati", pa.int32()),
            ("intensita", pa.string()),
            ("ore_piano_mese", pa.float64()),
        ]
    )
    table = pa.Table.from_pylist(rows, schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
