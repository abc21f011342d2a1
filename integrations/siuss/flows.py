"""SIUSS actions: the case manager's data for INPS, emitting a case's flows, and INPS's outcomes."""

from __future__ import annotations

from collections.abc import Sequence

from centrale.audit.models import AuditAction, AuditPurpose
from centrale.authz.case_guard import check_case
from centrale.authz.policy import CaseAction
from centrale.cases.models import Case
from centrale.flows import flow
from centrale.settings import Settings
from centrale.uow import Tx
from integrations.siuss import service
from integrations.siuss.models import EsitoFlusso, GenerationResult, SiussDataIn

MANAGE_SUBTYPE = "case.siuss.manage"


@flow("siuss.data_set")
async def set_siuss_data(tx: Tx, *, case_id: int, data: SiussDataIn) -> Case:
    """Create or replace the SIUSS data of a case the actor manages."""
    access = await check_case(tx.session, tx.db, tx.require_actor(), case_id, CaseAction.MANAGE, MANAGE_SUBTYPE)
    await service.save_data(tx.session, case=access.case, data=data, actor=access.actor)
    tx.audit(
        AuditAction.UPDATE, "case.siuss.data", entity_type="SiussData", entity_id=case_id, person_id=access.person_id
    )
    return access.case


@flow("siuss.emit")
async def emit_siuss_flows(tx: Tx, *, case_id: int, settings: Settings) -> GenerationResult:
    """Emit the PS-PSA-SINA flows of the active plan of a case the actor manages."""
    access = await check_case(tx.session, tx.db, tx.require_actor(), case_id, CaseAction.MANAGE, MANAGE_SUBTYPE)
    result = await service.generate(tx.session, case=access.case, actor=access.actor, settings=settings)
    for emitted in result.emitted:
        tx.audit(
            AuditAction.CREATE,
            "case.siuss.flow",
            entity_type="SiussFlow",
            entity_id=emitted.id_flusso,
            person_id=access.person_id,
        )
    return result


@flow("siuss.esito", guarded=False)  # INPS's machine client, authenticated by its WaaS token
async def record_esiti(tx: Tx, *, esiti: Sequence[EsitoFlusso]) -> int:
    """Store INPS's outcome of each flow it names; returns how many flows were ours."""
    recorded = 0
    for item in esiti:
        row = await service.record_esito(
            tx.session,
            id_flusso=item.id_flusso,
            codice_esito=item.codice_esito,
            descrizione=item.descrizione_esito,
            ts_acquisizione=item.ts_acquisizione,
            id_acquisizione=item.id_acquisizione_siuss,
        )
        if row is None:  # not a flow of ours (INPS answers about what it was sent; nothing to change)
            continue
        recorded += 1
        tx.audit(
            AuditAction.UPDATE,
            "siuss.esito",
            entity_type="SiussFlow",
            entity_id=row.id_flusso,
            person_id=row.person_id,
            outcome_desc=item.codice_esito,
            purpose=AuditPurpose.PUBHLTH,
        )
    return recorded
