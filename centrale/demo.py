"""A fictional Municipio IX district for trying the product; seeding twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.it import codicefiscale

from centrale.auth.passwords import hash_password
from centrale.cases.models import (
    CareTeamMember,
    Case,
    CaseCategory,
    CaseHistory,
    CasePhase,
    CaseState,
    SiussArea,
    TeamRole,
)
from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel, SentinelKind
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import NetworkLink, NetworkRelation, NetworkRole, Person, Sesso
from centrale.plans.catalogue import seed_catalogue
from centrale.rota.demo import seed_demo_rota
from centrale.tasks.models import Task, TaskCreate, TaskType
from centrale.tasks.service import create_task

DEMO_PASSWORD = "centrale-demo"  # noqa: S105 - fictional demo accounts, refused outside development

ORGS = [
    ("Municipio IX EUR - Servizio sociale", OrgKind.MUNICIPIO),
    ("ASL Roma 2 - PUA Distretto IX", OrgKind.ASL_PUA),
    ("Studio medico Dott.ssa Lucia Ferri", OrgKind.MMG),
    ("Studio medico Dott. Paolo Conti", OrgKind.MMG),
    ("Farmacap - Farmacia comunale Laurentina", OrgKind.FARMACIA),
    ("Cooperativa sociale Il Ponte", OrgKind.ETS),
    ("Associazione Vicini di Casa ODV", OrgKind.ETS),
    ("Centrale Operativa Municipio IX", OrgKind.CENTRALE),
    ("Ospedale Sant'Eugenio - Dimissioni protette", OrgKind.OSPEDALE),  # sends discharge notices
]

# username, full name, role, organisation name, phone
OPERATORS = [
    ("admin", "Amministratore di sistema", Role.AMMINISTRATORE, "Centrale Operativa Municipio IX", None),
    ("coordinatore", "Giulia Marchetti", Role.COORDINATORE, "Centrale Operativa Municipio IX", "+393330000201"),
    ("coordinatore2", "Paolo Neri", Role.COORDINATORE, "Centrale Operativa Municipio IX", "+393330000204"),
    ("casemanager", "Roberta Sala", Role.CASE_MANAGER, "Municipio IX EUR - Servizio sociale", "+393330000202"),
    ("pua", "Stefano Greco", Role.OPERATORE_PUA, "ASL Roma 2 - PUA Distretto IX", "+393330000203"),
    ("mmg.ferri", "Lucia Ferri", Role.MMG, "Studio medico Dott.ssa Lucia Ferri", None),
    ("tutor1", "Marco Bianchi", Role.TUTOR, "Cooperativa sociale Il Ponte", "+393330000211"),
    ("tutor2", "Sara Esposito", Role.TUTOR, "Cooperativa sociale Il Ponte", "+393330000212"),
    ("tutor3", "Luca Romano", Role.TUTOR, "Associazione Vicini di Casa ODV", "+393330000213"),
    ("tutor4", "Chiara Colombo", Role.TUTOR, "Associazione Vicini di Casa ODV", "+393330000214"),
    ("analista", "Andrea Ricci", Role.ANALISTA, "Centrale Operativa Municipio IX", None),
]

# condominio name, address, tutor username
CONDOMINI = [
    ("Condominio Laurentina 555", "Via Laurentina 555, 00143 Roma", "tutor1"),
    ("Condominio Decima 40", "Via di Decima 40, 00144 Roma", "tutor2"),
    ("Condominio Umanesimo 100", "Viale dell'Umanesimo 100, 00144 Roma", "tutor3"),
]


@dataclass
class Elder:
    cf_body: str  # the first 15 characters; the check letter is computed
    cognome: str
    nome: str
    sesso: Sesso
    nato: date
    condominio: int
    alias: str
    phones: list[str] = field(default_factory=list)


ELDERS = [
    Elder("BNCMRA38A41H501", "Bianco", "Maria", Sesso.F, date(1938, 1, 1), 0, "A2", ["+390651230001"]),
    Elder("RSSGPP35C12H501", "Rossi", "Giuseppe", Sesso.M, date(1935, 3, 12), 0, "B3"),
    Elder("VRDNNA40E55H501", "Verdi", "Anna", Sesso.F, date(1940, 5, 15), 0, "INT. 7", ["+393330000301"]),
    Elder("GLLLNZ33H08H501", "Galli", "Lorenzo", Sesso.M, date(1933, 6, 8), 1, "C1"),
    Elder("MRNRSO37L62H501", "Marini", "Rosa", Sesso.F, date(1937, 7, 22), 1, "C4", ["+390651230002"]),
    Elder("CSTFNC39P18H501", "Costa", "Franco", Sesso.M, date(1939, 9, 18), 1, "D2"),
    Elder("FNTLSE36S47H501", "Fontana", "Elisa", Sesso.F, date(1936, 11, 7), 1, "D5"),
    Elder("SNTBRN34B14H501", "Santoro", "Bruno", Sesso.M, date(1934, 2, 14), 2, "1A"),
    Elder("LMBTRS41D63H501", "Lombardi", "Teresa", Sesso.F, date(1941, 4, 23), 2, "2B", ["+393330000302"]),
    Elder("MRTVTT32T10H501", "Moretti", "Vittorio", Sesso.M, date(1932, 12, 10), 2, "3C"),
]

# name, phone, condominio index, kind
SENTINELS = [
    ("Paola (portineria)", "+393330000101", 0, SentinelKind.SENTINELLA),
    ("Giorgio, int. 4", "+393330000102", 0, SentinelKind.SENTINELLA),
    ("Bar Laurentina", "+393330000103", 1, SentinelKind.ANTENNA),
    ("Rita, int. 9", "+393330000104", 1, SentinelKind.SENTINELLA),
    ("Edicola di Decima", "+393330000105", 2, SentinelKind.ANTENNA),
    ("Franca, scala B", "+393330000106", 2, SentinelKind.SENTINELLA),
]


def demo_codice_fiscale(body: str) -> str:
    return body + codicefiscale.calc_check_digit(body)


def _id(row: Organisation) -> int:
    assert row.id is not None
    return row.id


async def _one(session: AsyncSession, query):  # type: ignore[no-untyped-def]
    return (await session.exec(query)).first()


async def seed_demo(session: AsyncSession) -> dict[str, int]:
    """Create what is missing of the demo district; returns how many rows of each kind were added."""
    added = {"organisations": 0, "operators": 0, "persons": 0, "condomini": 0, "sentinels": 0}
    orgs: dict[str, Organisation] = {}
    for name, kind in ORGS:
        org = await _one(session, select(Organisation).where(col(Organisation.name) == name))
        if org is None:
            org = Organisation(name=name, kind=kind, municipio="IX")
            session.add(org)
            added["organisations"] += 1
        orgs[name] = org
    await session.flush()

    operators: dict[str, Operator] = {}
    for username, full_name, role, org_name, phone in OPERATORS:
        op = await _one(session, select(Operator).where(col(Operator.username) == username))
        if op is None:
            op = Operator(
                username=username,
                full_name=full_name,
                role=role,
                organisation_id=_id(orgs[org_name]),
                phone=phone,
                password_hash=hash_password(DEMO_PASSWORD),
            )
            session.add(op)
            added["operators"] += 1
        operators[username] = op
    await session.flush()

    condomini: list[Condominio] = []
    for name, address, tutor in CONDOMINI:
        cond = await _one(session, select(Condominio).where(col(Condominio.name) == name))
        if cond is None:
            cond = Condominio(name=name, indirizzo=address, municipio="IX", operator_id=operators[tutor].id)
            session.add(cond)
            added["condomini"] += 1
        condomini.append(cond)
    await session.flush()

    mmg = [orgs["Studio medico Dott.ssa Lucia Ferri"], orgs["Studio medico Dott. Paolo Conti"]]
    for i, elder in enumerate(ELDERS):
        cf = demo_codice_fiscale(elder.cf_body)
        person = await _one(session, select(Person).where(col(Person.codice_fiscale) == cf))
        if person is not None:
            continue
        cond = condomini[elder.condominio]
        person = Person(
            codice_fiscale=cf,
            cognome=elder.cognome,
            nome=elder.nome,
            sesso=elder.sesso,
            data_nascita=elder.nato,
            indirizzo=cond.indirizzo,
            municipio="IX",
            mmg_organisation_id=mmg[i % 2].id,
            telefoni=elder.phones,
            registered_by_org_id=_id(orgs["Municipio IX EUR - Servizio sociale"]),
        )
        session.add(person)
        await session.flush()
        assert person.id is not None and cond.id is not None
        session.add(AssistedPerson(condominio_id=cond.id, person_id=person.id, alias=elder.alias))
        session.add(
            NetworkLink(
                person_id=person.id,
                relation=NetworkRelation.FAMILIARE,
                role=NetworkRole.CAREGIVER,
                name=f"Familiare di {elder.nome} {elder.cognome}",
            )
        )
        added["persons"] += 1

    for name, phone, cond_index, sentinel_kind in SENTINELS:
        if await _one(session, select(Sentinel).where(col(Sentinel.phone) == phone)) is None:
            cond_id = condomini[cond_index].id
            assert cond_id is not None
            session.add(Sentinel(name=name, phone=phone, condominio_id=cond_id, kind=sentinel_kind, consent_sms=True))
            added["sentinels"] += 1
    added["services"] = await seed_catalogue(session)
    added["cases"] = await _seed_cases(session, orgs, operators)
    added["rota"] = await seed_demo_rota(session, operators)
    await commit(session)
    return added


# codice fiscale body of the elder, category, team: (organisation name, operator username or None, role)
DEMO_CASES = [
    (
        "BNCMRA38A41H501",
        CaseCategory.ANZIANI,
        [
            ("ASL Roma 2 - PUA Distretto IX", "pua", TeamRole.OPERATORE_PUA),
            ("Cooperativa sociale Il Ponte", "tutor1", TeamRole.TUTOR),
        ],
    ),
    (
        "GLLLNZ33H08H501",
        CaseCategory.ANZIANI,
        [
            ("Studio medico Dott.ssa Lucia Ferri", "mmg.ferri", TeamRole.MMG),
        ],
    ),
]


async def _seed_cases(session: AsyncSession, orgs: dict[str, Organisation], operators: dict[str, Operator]) -> int:
    """One or two cases with a multi-agency team, so the case pages show something."""
    added = 0
    manager = operators["casemanager"]
    assert manager.id is not None
    for cf_body, category, team in DEMO_CASES:
        cf = demo_codice_fiscale(cf_body)
        person = await _one(session, select(Person).where(col(Person.codice_fiscale) == cf))
        if person is None:
            continue
        if await _one(session, select(Case).where(col(Case.person_id) == person.id)) is not None:
            continue
        case = Case(
            person_id=person.id,
            state=CaseState.PRESO_IN_CARICO,
            phase=CasePhase.VALUTAZIONE,
            category=category,
            siuss_area=SiussArea.DISABILITA_NON_AUTOSUFFICIENZA,
            case_manager_id=manager.id,
            organisation_id=manager.organisation_id,
        )
        session.add(case)
        await session.flush()
        assert case.id is not None
        session.add(
            CareTeamMember(
                case_id=case.id,
                organisation_id=manager.organisation_id,
                operator_id=manager.id,
                role=TeamRole.RESPONSABILE,
                added_by_id=manager.id,
            )
        )
        for org_name, username, role in team:
            org_id = orgs[org_name].id
            assert org_id is not None
            session.add(
                CareTeamMember(
                    case_id=case.id,
                    organisation_id=org_id,
                    operator_id=operators[username].id if username else None,
                    role=role,
                    added_by_id=manager.id,
                )
            )
        session.add(
            CaseHistory(
                case_id=case.id,
                to_state=case.state,
                to_phase=case.phase,
                note="Caso dimostrativo",
                by_operator_id=manager.id,
                by_name=manager.full_name,
            )
        )
        added += 1
    await session.flush()
    return added


# the tutor's username, the elder's codice fiscale body, the task, hours from now to its window's start
DEMO_TASKS = [
    ("tutor1", "VRDNNA40E55H501", TaskType.VISITA_DOMICILIARE, -4),  # late: the window closed two hours ago
    ("tutor2", "CSTFNC39P18H501", TaskType.CONSEGNA_FARMACI, -26),  # late since yesterday
    ("tutor1", "BNCMRA38A41H501", TaskType.TELEFONATA, 1),  # due soon: its reminder goes out now
    ("tutor3", "SNTBRN34B14H501", TaskType.VISITA_DOMICILIARE, 20),
]


async def seed_demo_tasks(session: AsyncSession, *, now: datetime | None = None) -> int:
    """A few tasks around now, two of them already late, so the board and "Le mie attività" show work.

    Each has a ``demo:<n>`` schedule key: seeding again adds nothing. The caller commits."""
    now = now or utcnow()
    added = 0
    for n, (username, cf_body, kind, hours) in enumerate(DEMO_TASKS, start=1):
        key = f"demo:{n}"
        if await _one(session, select(col(Task.id)).where(col(Task.schedule_key) == key)) is not None:
            continue
        tutor = await _one(session, select(Operator).where(col(Operator.username) == username))
        person = await _one(session, select(Person).where(col(Person.codice_fiscale) == demo_codice_fiscale(cf_body)))
        if tutor is None or person is None:
            continue
        start = now + timedelta(hours=hours)
        task = await create_task(
            session,
            data=TaskCreate(
                person_id=person.id,
                type=kind,
                assignee_id=tutor.id,
                due_start=start,
                due_end=start + timedelta(hours=2),
            ),
            created_by_id=None,
        )
        task.schedule_key = key
        session.add(task)
        added += 1
    await session.flush()
    return added
