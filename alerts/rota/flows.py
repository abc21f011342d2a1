"""The rota's actions: edit a layer, cover a shift, swap shifts, remove a cover or a swap.

Coordinators and administrators arrange the rota for everyone. An operator may take a shift of their
own role (a cover "in an emergency") and may swap away their own shift; nobody else may change who is
on duty. Each action authorises on the object, writes an audit row and emits an event; a refusal is
audited. No health data is involved: a rota names operators and times only.
"""

from __future__ import annotations

from datetime import datetime

from alerts.rota.words import interval_words
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.clock import as_utc, utcnow
from centrale.errors import Invalid, NotFound, Refused
from centrale.flows import flow
from centrale.operators.models import Operator, Role
from centrale.rota.models import (
    CoverCreate,
    OverrideKind,
    RotaLayer,
    RotaLayerCreate,
    RotaLayerUpdate,
    RotaOverride,
    SwapCreate,
)
from centrale.rota.service import on_duty
from centrale.uow import Tx

#: who arranges the rota for everyone
ARRANGERS = frozenset({Role.COORDINATORE, Role.AMMINISTRATORE})
#: the longest interval one cover or swap may span
MAX_DAYS = 31


async def _refuse(tx: Tx, action: AuditAction, subtype: str, entity: str, ident: object, reason: str) -> Refused:
    return await tx.deny(action, subtype, entity_type=entity, entity_id=ident, person_id=None, reason=reason)


async def _require_arranger(tx: Tx, action: AuditAction, subtype: str, ident: object) -> Actor:
    actor = tx.require_actor()
    if actor.role not in ARRANGERS:
        raise await _refuse(tx, action, subtype, "RotaLayer", ident, f"role {actor.role} may not arrange the rota")
    return actor


async def _operator_of_role(tx: Tx, operator_id: int, role: Role, field: str) -> Operator:
    """An active operator holding ``role``; otherwise an error naming the field."""
    op = await tx.session.get(Operator, operator_id)
    if op is None or not op.active or op.deleted_at is not None:
        raise Invalid(f"{field}: operatore sconosciuto o non attivo / unknown or inactive operator", field=field)
    if op.role != role:
        raise Invalid(f"{field}: l'operatore non ha il ruolo del turno / not of the shift's role", field=field)
    return op


async def _check_layer(tx: Tx, data: RotaLayerCreate) -> None:
    for ident in data.operator_ids:
        await _operator_of_role(tx, ident, data.role, "operator_ids")


def _interval(start: datetime, end: datetime, field: str = "ends_at") -> tuple[datetime, datetime]:
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise Invalid(f"{field}: la fine deve seguire l'inizio / the end must follow the start", field=field)
    if (end - start).days > MAX_DAYS:
        raise Invalid(f"{field}: al massimo {MAX_DAYS} giorni / at most {MAX_DAYS} days", field=field)
    if end <= utcnow():
        raise Invalid(f"{field}: l'intervallo è già passato / the interval is over", field=field)
    return start, end


def _emit(tx: Tx, kind: str, override: RotaOverride, *recipients: int | None) -> None:
    """The event of a change, and a personal notice (no health data) to each operator it concerns."""
    payload = {"override_id": override.id, "role": override.role, "kind": override.kind}
    tx.emit(kind=kind, entity_type="RotaOverride", entity_id=override.id, payload=payload)
    text = f"Turno cambiato: {interval_words(override.starts_at, override.ends_at)}"
    for ident in {r for r in recipients if r is not None}:
        tx.emit(
            kind="rota.notice",
            entity_type="RotaOverride",
            entity_id=override.id,
            recipient_operator_id=ident,
            payload={"text": text},
        )


@flow("rota.layer_create")
async def create_layer(tx: Tx, *, data: RotaLayerCreate) -> RotaLayer:
    """Add a weekly layer to a role's rota (coordinators and administrators)."""
    await _require_arranger(tx, AuditAction.CREATE, "rota.layer_create", None)
    await _check_layer(tx, data)
    layer = RotaLayer.model_validate(data.model_dump())
    tx.session.add(layer)
    await tx.session.flush()
    tx.audit(AuditAction.CREATE, "rota.layer_create", entity_type="RotaLayer", entity_id=layer.id, person_id=None)
    tx.emit(kind="rota.layer_created", entity_type="RotaLayer", entity_id=layer.id, payload={"role": layer.role})
    return layer


@flow("rota.layer_update")
async def update_layer(tx: Tx, *, layer_id: int, data: RotaLayerUpdate) -> RotaLayer:
    """Change a layer's times, days, rotation or operators (coordinators and administrators)."""
    await _require_arranger(tx, AuditAction.UPDATE, "rota.layer_update", layer_id)
    layer = await tx.session.get(RotaLayer, layer_id)
    if layer is None:
        raise NotFound("RotaLayer", layer_id)
    await _check_layer(tx, data)
    for key, value in data.model_dump().items():
        setattr(layer, key, value)
    layer.updated_at = utcnow()
    tx.session.add(layer)
    await tx.session.flush()
    tx.audit(AuditAction.UPDATE, "rota.layer_update", entity_type="RotaLayer", entity_id=layer_id, person_id=None)
    tx.emit(kind="rota.layer_updated", entity_type="RotaLayer", entity_id=layer_id, payload={"role": layer.role})
    return layer


@flow("rota.cover")
async def cover_shift(tx: Tx, *, data: CoverCreate) -> RotaOverride:
    """Someone takes a shift: the taker themselves (an emergency) or a coordinator for anyone."""
    actor = tx.require_actor()
    if actor.role not in ARRANGERS and actor.operator_id != data.operator_id:
        reason = f"role {actor.role} may take a shift for themselves only"
        raise await _refuse(tx, AuditAction.CREATE, "rota.cover", "RotaOverride", None, reason)
    start, end = _interval(data.starts_at, data.ends_at)
    await _operator_of_role(tx, data.operator_id, data.role, "operator_id")
    if data.replaces_id is not None:
        await _operator_of_role(tx, data.replaces_id, data.role, "replaces_id")
    override = RotaOverride(
        role=data.role,
        kind=OverrideKind.COPERTURA,
        starts_at=start,
        ends_at=end,
        operator_id=data.operator_id,
        replaces_id=data.replaces_id,
        created_by_id=actor.operator_id,
    )
    tx.session.add(override)
    await tx.session.flush()
    tx.audit(AuditAction.CREATE, "rota.cover", entity_type="RotaOverride", entity_id=override.id, person_id=None)
    _emit(tx, "rota.covered", override, data.operator_id, data.replaces_id)
    return override


async def _holds(tx: Tx, role: Role, operator_id: int, at: datetime) -> bool:
    return any(op.id == operator_id for op in await on_duty(tx.session, role, at))


@flow("rota.swap")
async def swap_shifts(tx: Tx, *, data: SwapCreate) -> list[RotaOverride]:
    """Two operators exchange shifts: the one whose shift it is asks, or a coordinator for anyone.

    ``with_operator_id`` takes ``operator_id``'s shift in [starts_at, ends_at); when the return interval
    is given, ``operator_id`` takes the other's shift then. Each must hold the shift they give away.
    """
    actor = tx.require_actor()
    if actor.role not in ARRANGERS and actor.operator_id != data.operator_id:
        reason = f"role {actor.role} may swap their own shifts only"
        raise await _refuse(tx, AuditAction.CREATE, "rota.swap", "RotaOverride", None, reason)
    start, end = _interval(data.starts_at, data.ends_at)
    await _operator_of_role(tx, data.operator_id, data.role, "operator_id")
    await _operator_of_role(tx, data.with_operator_id, data.role, "with_operator_id")
    if data.operator_id == data.with_operator_id:
        raise Invalid(
            "with_operator_id: serve un altro operatore / another operator is needed", field="with_operator_id"
        )
    if not await _holds(tx, data.role, data.operator_id, start):
        raise Invalid("starts_at: l'operatore non è di turno in quel momento / not on duty then", field="starts_at")
    halves = [(start, end, data.with_operator_id, data.operator_id)]
    if data.back_starts_at is not None or data.back_ends_at is not None:
        if data.back_starts_at is None or data.back_ends_at is None:
            raise Invalid("back_ends_at: servono inizio e fine del turno restituito", field="back_ends_at")
        back = _interval(data.back_starts_at, data.back_ends_at, "back_ends_at")
        if not await _holds(tx, data.role, data.with_operator_id, back[0]):
            raise Invalid(
                "back_starts_at: l'altro operatore non è di turno allora / not on duty", field="back_starts_at"
            )
        halves.append((back[0], back[1], data.operator_id, data.with_operator_id))
    made: list[RotaOverride] = []
    for a, b, taker, giver in halves:
        override = RotaOverride(
            role=data.role,
            kind=OverrideKind.SCAMBIO,
            starts_at=a,
            ends_at=b,
            operator_id=taker,
            replaces_id=giver,
            created_by_id=actor.operator_id,
        )
        tx.session.add(override)
        made.append(override)
    await tx.session.flush()
    if len(made) == 2:
        made[0].pair_id, made[1].pair_id = made[1].id, made[0].id
        tx.session.add_all(made)
    for override in made:
        tx.audit(AuditAction.CREATE, "rota.swap", entity_type="RotaOverride", entity_id=override.id, person_id=None)
        _emit(tx, "rota.swapped", override, override.operator_id, override.replaces_id)
    return made


@flow("rota.override_remove")
async def remove_override(tx: Tx, *, override_id: int) -> None:
    """Undo a cover or a swap (both halves): its author, the operators it names, or a coordinator."""
    actor = tx.require_actor()
    override = await tx.session.get(RotaOverride, override_id)
    if override is None or override.removed_at is not None:
        raise NotFound("RotaOverride", override_id)
    involved = {override.operator_id, override.replaces_id, override.created_by_id}
    if actor.role not in ARRANGERS and actor.operator_id not in involved:
        reason = f"role {actor.role} may remove only the covers and swaps that name them"
        raise await _refuse(tx, AuditAction.DELETE, "rota.override_remove", "RotaOverride", override_id, reason)
    removed = [override]
    if override.pair_id is not None and (pair := await tx.session.get(RotaOverride, override.pair_id)) is not None:
        removed.append(pair)
    now = utcnow()
    for row in removed:
        row.removed_at = now
        tx.session.add(row)
        tx.audit(
            AuditAction.DELETE, "rota.override_remove", entity_type="RotaOverride", entity_id=row.id, person_id=None
        )
        _emit(tx, "rota.override_removed", row, row.operator_id, row.replaces_id)
