"""From the care record (person, case, active plan, assessments) to the neutral flow input."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.assessments.scales import ScaleKind
from centrale.assessments.service import assessments_of
from centrale.cases.models import Case, CaseState, SiussArea
from centrale.persons.models import NetworkLink, Person, Sesso
from centrale.plans.catalogue import rule_of
from centrale.plans.models import Frequency, Intervention, Plan, ServiceType
from centrale.plans.service import active_plan
from centrale.settings import Settings
from centrale.validators import CfKind, birthplace_of
from integrations.siuss.flow import Beneficiario, Ente, FlowInput, Prestazione, Residenza
from integrations.siuss.models import SiussData
from integrations.siuss.sina import ScaleResult, build_sina

#: every person of the district lives in Roma: Italy (ISO 380, as INPS's examples), Lazio (12), Roma (ISTAT 058091)
ROMA_RESIDENZA = Residenza(codice_nazione="380", codice_regione="12", codice_comune="058091")
#: states in which the social service has taken charge of the person (PresaCarico 1)
TAKEN_IN_CHARGE = {CaseState.PRESO_IN_CARICO, CaseState.SOSPESO, CaseState.RIAPERTO}


@dataclass
class PlannedFlow:
    """One intervention of the active plan and the flow input built from it (without its name yet)."""

    intervention: Intervention | None
    plan: Plan | None
    data: FlowInput


def ente_of(settings: Settings) -> Ente:
    return Ente(
        codice=settings.siuss_codice_ente,
        denominazione=settings.siuss_denominazione_ente[:100],
        indirizzo=settings.siuss_codice_ente,
        cf_operatore=settings.siuss_cf_operatore,
    )


def beneficiario_of(person: Person, data: SiussData | None) -> Beneficiario:
    ordinary = person.cf_kind == CfKind.ORDINARIO
    return Beneficiario(
        codice_fiscale=person.codice_fiscale,
        cognome=person.cognome,
        nome=person.nome,
        anno_nascita=person.data_nascita.year,
        # an ordinary codice fiscale carries the birthplace's codice catastale in positions 12–15, its
        # digits possibly replaced by omocodia letters (HRLM is H501)
        luogo_nascita=(data.luogo_nascita if data and data.luogo_nascita else None)
        or (birthplace_of(person.codice_fiscale) if ordinary else None),
        genere="1" if person.sesso == Sesso.M else "2",
        codice_cittadinanza=data.codice_cittadinanza if data else None,
        codice_seconda_cittadinanza=data.codice_seconda_cittadinanza if data else None,
        residenza=ROMA_RESIDENZA if person.municipio else Residenza(),
    )


def prova_mezzi(service: ServiceType | None, data: SiussData | None) -> str:
    """1 soggetta a ISEE when the service has an ISEE cost-share rule, else 4 (no means test)."""
    if data and data.presenza_prova_mezzi:
        return data.presenza_prova_mezzi
    return "1" if service is not None and rule_of(service) is not None else "4"


def denominazione(service: ServiceType | None) -> str | None:
    """The catalogue label; INPS wants at least 10 characters, so a short label carries its code."""
    if service is None:
        return None
    label = service.label if len(service.label) >= 10 else f"{service.label} ({service.code})"
    return label[:200]


async def latest_scales(session: AsyncSession, person_id: int) -> dict[ScaleKind, ScaleResult]:
    latest: dict[ScaleKind, ScaleResult] = {}
    for row in await assessments_of(session, person_id=person_id):  # oldest first: the last one wins
        latest[row.kind] = ScaleResult(kind=row.kind, answers=row.answers, total=row.total, band=row.band)
    return latest


async def _has_network(session: AsyncSession, person_id: int) -> bool:
    found = await session.exec(
        select(col(NetworkLink.id)).where(
            col(NetworkLink.person_id) == person_id, col(NetworkLink.deleted_at).is_(None)
        )
    )
    return found.first() is not None


async def planned_flows(session: AsyncSession, *, case: Case, settings: Settings) -> list[PlannedFlow]:
    """One flow input per intervention of the case's active plan (one beneficiary, one prestazione)."""
    assert case.id is not None
    person = await session.get(Person, case.person_id)
    assert person is not None
    data = await session.get(SiussData, case.id)
    plan = await active_plan(session, case_id=case.id)
    interventions = (
        list((await session.exec(select(Intervention).where(col(Intervention.plan_id) == plan.id))).all())
        if plan is not None
        else []
    )
    sina = None
    if case.siuss_area == SiussArea.DISABILITA_NON_AUTOSUFFICIENZA:
        stated = data.model_dump() if data else {"fonte_derivazione_valutazione": "2", "strumento_valutazione": "7"}
        sina = build_sina(
            await latest_scales(session, person.id or 0),
            has_network=await _has_network(session, person.id or 0),
            stated=stated,
            needed_codes=[i.service_code for i in interventions],
        )
    flows = []
    for item in interventions:
        service = await session.get(ServiceType, item.service_code)
        assert plan is not None
        prestazione = Prestazione(
            codice=item.service_code,
            denominazione=denominazione(service),
            protocollo_domanda=data.protocollo_domanda if data else None,
            presenza_prova_mezzi=prova_mezzi(service, data),
            presa_carico="1" if case.state in TAKEN_IN_CHARGE else "2",
            area_utenza=str(int(case.siuss_area)),
            carattere="2" if item.frequency == Frequency.UNA_TANTUM else "1",
            numero_protocollo_dsu=data.numero_protocollo_dsu if data else None,
            anno_protocollo_dsu=data.anno_protocollo_dsu if data else None,
            data_dsu=data.data_dsu if data else None,
            data_evento=plan.signed_at.date() if plan.signed_at else None,
            data_inizio=plan.start_date,
            data_fine=plan.planned_end,
            importo_mensile=item.cost,
            quota_ente=item.share_ente,
            quota_utente=item.share_utente,
            quota_ssn=item.share_ssn,
            soglia_isee=service.isee_max if service is not None and rule_of(service) is not None else None,
            ore_mensili=item.hours_per_month,
            sina=sina,
        )
        flows.append(
            PlannedFlow(
                intervention=item,
                plan=plan,
                data=FlowInput(
                    nome_flusso="",
                    ente=ente_of(settings),
                    beneficiario=beneficiario_of(person, data),
                    prestazione=prestazione,
                ),
            )
        )
    return flows
