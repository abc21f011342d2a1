"""What the page walks share: the page routes as the app routes them, a demo district with one object of
every kind a page's path names, and what a reader must never see on a page."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.demo import seed_demo_activity
from alerts.discharges.flows import notify
from alerts.discharges.models import DischargeNotice
from alerts.escalation.models import EscalationPolicy
from alerts.escalation.service import seed_default_policies
from centrale.auth.actor import actor_from
from centrale.cases.models import CareTeamMember, Case
from centrale.clock import utcnow
from centrale.demo import seed_demo
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import Person
from centrale.plans.catalogue import seed_catalogue
from centrale.plans.models import ServiceType
from centrale.tasks.models import Task, TaskCreate, TaskType
from centrale.tasks.service import create_task
from centrale.uow import Tx
from tests import factories as f
from web.errors import API_PREFIXES

# --- the pages -------------------------------------------------------------------------------------------

_PARAM = re.compile(r"\{(?P<name>[^}:]+)(?::[^}]+)?\}")


def page_routes(app: FastAPI) -> list[str]:
    """Every page a browser may open: the GET routes outside the API, as the app routes them."""
    found = []
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        route = context.original_route
        if not isinstance(route, APIRoute) or "GET" not in (context.methods or ()):
            continue
        if route.include_in_schema or path.startswith(API_PREFIXES):
            continue
        found.append(path)
    return sorted(set(found))


def page_forms(app: FastAPI) -> list[str]:
    """Every page form's target: the POST routes outside the API (sign-in and sign-out aside)."""
    found = []
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if not isinstance(context.original_route, APIRoute) or "POST" not in (context.methods or ()):
            continue
        if context.original_route.include_in_schema or path.startswith(API_PREFIXES) or path in ("/login", "/logout"):
            continue
        found.append(path)
    return sorted(set(found))


def params_of(path: str) -> list[str]:
    return [m.group("name") for m in _PARAM.finditer(path)]


#: a path parameter's table, where its name does not say it (``member_id`` is a care team member)
PARAM_TABLES: dict[str, type[SQLModel]] = {
    "member_id": CareTeamMember,
    "org_id": Organisation,
    "code": ServiceType,
    "policy_id": EscalationPolicy,
}


def _tables() -> dict[str, type[SQLModel]]:
    found: dict[str, type[SQLModel]] = {}
    todo: list[type[SQLModel]] = list(SQLModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if getattr(cls, "__table__", None) is not None:
            found[cls.__name__.lower()] = cls
            found[str(cls.__table__.name).lower()] = cls  # type: ignore[attr-defined]
    return found


def table_of(param: str) -> type[SQLModel] | None:
    """The table a path parameter names: ``case_id`` -> Case, ``sms_id`` -> the table called so."""
    if param in PARAM_TABLES:
        return PARAM_TABLES[param]
    stem = param.removesuffix("_id").replace("_", "").lower()
    tables = _tables()
    for name in (stem, f"{stem}s", f"inbound{stem}"):
        if name in tables:
            return tables[name]
    ending = {cls for name, cls in tables.items() if name.endswith(stem)}  # link_id -> NetworkLink
    return ending.pop() if len(ending) == 1 else None


async def fill(session: AsyncSession, path: str) -> str | None:
    """The path with its parameters taken from one stored object (the last one names the others:
    ``/casi/{case_id}/valutazioni/{assessment_id}`` takes an assessment and its case); None if none is stored."""
    names = params_of(path)
    if not names:
        return path
    values: dict[str, object] = {}
    for name in reversed(names):
        if name in values:
            continue
        table = table_of(name)
        assert table is not None, f"{path}: which table is {{{name}}}? Add it to PARAM_TABLES in {__name__}"
        key = next(iter(table.__table__.primary_key.columns)).name  # type: ignore[attr-defined]
        row = (await session.exec(select(table).order_by(getattr(table, key)))).first()
        if row is None:
            return None
        values[name] = getattr(row, key)
        for other in names:
            if other not in values and getattr(row, other, None) is not None:
                values[other] = getattr(row, other)
    return _PARAM.sub(lambda m: str(values[m.group("name")]), path)


# --- the district ----------------------------------------------------------------------------------------


@dataclass
class District:
    """The demo district with one object of each kind, and an operator of each role."""

    usernames: dict[Role, str] = field(default_factory=dict)


DEMO_USERS = {
    Role.AMMINISTRATORE: "admin",
    Role.COORDINATORE: "coordinatore",
    Role.CASE_MANAGER: "casemanager",
    Role.OPERATORE_PUA: "pua",
    Role.MMG: "mmg.ferri",
    Role.TUTOR: "tutor1",
    Role.ANALISTA: "analista",
}
KATZ = {"bagno": 1, "vestirsi": 1, "toilette": 0, "spostarsi": 1, "continenza": 1, "alimentazione": 1}


async def seed_district(session: AsyncSession, client: httpx.AsyncClient) -> District:
    """The demo, plus what it lacks for every page to have something to show: an operator of the third
    sector, and through the API a consent, a referral, a plan, an assessment and a task on a demo case, and an
    office phone of the case manager."""
    await seed_demo(session)
    await seed_catalogue(session)
    await seed_default_policies(session)
    await commit(session)
    await seed_demo_activity(session)  # open alerts, a closed one, an unknown number's message, late tasks
    district = District(usernames=dict(DEMO_USERS))
    for role in Role:
        if role in district.usernames:
            continue
        coop = (await session.exec(select(Organisation).where(col(Organisation.kind) == OrgKind.ETS))).first()
        assert coop is not None
        username = f"walk.{role.lower()}"
        session.add(
            Operator(
                username=username,
                full_name="Elena Conti",
                role=role,
                organisation_id=coop.id or 0,
                password_hash=f.password_hash(),
            )
        )
        await commit(session)
        district.usernames[role] = username
    manager = await operator_of(session, district, Role.CASE_MANAGER)
    headers = f.bearer(await f.token_for(session, manager))
    case = (await session.exec(select(Case).where(col(Case.case_manager_id) == manager.id))).first()
    assert case is not None, "the demo has no case of its case manager"
    pua = (await session.exec(select(Organisation).where(col(Organisation.kind) == OrgKind.ASL_PUA))).first()
    assert pua is not None
    answers = [
        await client.post(
            f"/api/v1/persons/{case.person_id}/consents",
            headers=headers,
            json={"purpose": "CONDIVISIONE_ENTI", "signed_by": "Maria Bianchi"},
        ),
        await client.post(
            f"/api/v1/cases/{case.id}/referrals", headers=headers, json={"to_org_id": pua.id, "reason": "Valutazione"}
        ),
        await client.post(
            f"/api/v1/cases/{case.id}/assessments", headers=headers, json={"kind": "KATZ_ADL", "answers": KATZ}
        ),
        await client.post(f"/api/v1/cases/{case.id}/plans", headers=headers, json=_plan(pua.id or 0)),
        await client.post(
            f"/api/v1/operators/{manager.id}/contacts/phones",
            headers=headers,
            json={"number": "+390612345678", "label": "ufficio", "voice": True},
        ),
    ]
    for answer in answers:
        assert answer.status_code == 201, answer.text
    tutor = await operator_of(session, district, Role.TUTOR)
    start = utcnow()
    await create_task(
        session,
        data=TaskCreate(
            person_id=case.person_id,
            type=TaskType.VISITA_DOMICILIARE,
            assignee_id=tutor.id or 0,
            due_start=start,
            due_end=start + timedelta(hours=2),
        ),
        created_by_id=None,
    )
    await commit(session)
    assert (await session.exec(select(Task))).first() is not None
    # a device of the tutor with notices on (the notices page lists it, its form removes it)
    device = {
        "endpoint": "https://push.example.org/send/walk-device",
        "keys": {"p256dh": "B" + "x" * 86, "auth": "a" * 22},
    }
    answer = await client.post(
        "/api/v1/push/subscriptions", headers=f.bearer(await f.token_for(session, tutor)), json=device
    )
    assert answer.status_code == 201, answer.text
    await _discharge(session, manager, case)
    return district


async def _discharge(session: AsyncSession, manager: Operator, case: Case) -> None:
    """A protected discharge in flight for the demo case, notified by its manager (the lane and the file show it)."""
    hospital = (await session.exec(select(Organisation).where(col(Organisation.kind) == OrgKind.OSPEDALE))).first()
    assert hospital is not None, "the demo district has no hospital"
    person = await session.get(Person, case.person_id)
    office = await session.get(Organisation, manager.organisation_id)
    assert person is not None and office is not None and hospital.id is not None
    notice = DischargeNotice(
        codice_fiscale=person.codice_fiscale,
        hospital_org_id=hospital.id,
        ward="Medicina interna",
        expected_date=utcnow().date() + timedelta(days=3),
        needs="Ausili",
        hospital_contact="Inf. Bruni, 06 5100 1234",
    )
    tx = Tx.within(session, actor=actor_from(manager, office))
    await notify(tx, notice=notice)
    await tx.commit()


def _plan(provider_id: int) -> dict[str, Any]:
    return {
        "start_date": "2026-03-01",
        "planned_end": "2026-12-31",
        "review_every": 3,
        "review_unit": "MESI",
        "isee": "18750",
        "goals": [{"term": "BREVE", "description": "Spesa settimanale garantita"}],
        "interventions": [
            {
                "service_code": "A2.07",
                "provider_org_id": provider_id,
                "frequency": "REGOLARE",
                "rrule": "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10",
                "hours_per_month": "20",
            }
        ],
    }


async def operator_of(session: AsyncSession, district: District, role: Role) -> Operator:
    username = district.usernames[role]
    found = (await session.exec(select(Operator).where(col(Operator.username) == username))).one()
    return found


# --- what a reader must never see ------------------------------------------------------------------------

_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,}")
#: codes that are also the names people use (the scales' own names)
NAMES = {"INSPIRE", "MMSE", "FHIR"}  # FHIR: the standard, also a discharge's source


def domain_codes() -> set[str]:
    """The values of every enumeration in the domain's models that look like codes (``PRESO_IN_CARICO``)."""
    codes: set[str] = set()
    for package in ("centrale", "alerts", "integrations"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if info.name.rsplit(".", 1)[-1] not in ("models", "scales"):
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == module.__name__:
                    codes |= {str(m.value) for m in value if _CODE.fullmatch(str(m.value))}
    return codes - NAMES


ENGLISH = (
    "Input should",
    "Field required",
    "not enough values to unpack",
    "value is not a valid",
    "validation error for",
    "Internal Server Error",
    "Not Found",
    "Method Not Allowed",
)
RULE_WORDS = ("FREQ=", "RRULE", "BYDAY=", "BYHOUR=")


class _Visible(HTMLParser):
    """The text a person sees or hears: text nodes and the attributes read aloud, not scripts or styles."""

    HIDDEN = {"script", "style", "template", "noscript"}
    SAID = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        found = dict(attrs)
        self.parts += [found[name] or "" for name in self.SAID if found.get(name)]
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.parts.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def problems_in(text: str, codes: set[str]) -> list[str]:
    """What must not be read on a page: a code, a schedule rule, English from a library."""
    found = [f"code {code}" for code in sorted(codes) if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]
    found += [f"rule {words}" for words in RULE_WORDS if words in text]
    found += [f"English {words!r}" for words in ENGLISH if words in text]
    return found
