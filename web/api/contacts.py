"""HTTP routes for how an operator is reached: their own, or anyone's for an administrator."""

from __future__ import annotations

from fastapi import APIRouter, Response

from centrale.operators import contact_flows as flows
from centrale.operators.contact_forms import ContactRulesUpdate, ContactsPublic, PhoneCreate, PhonePublic
from web.api.deps import TxDep, flow_route

router = APIRouter(prefix="/operators/{operator_id}/contacts", tags=["operatori"])


@router.get("", response_model=ContactsPublic, summary="Recapiti e regole di un operatore")
async def read_contacts(operator_id: int, tx: TxDep) -> ContactsPublic:
    """Telefoni, dispositivi, ore di quiete e la regola in vigore per ogni priorità."""
    found = await flows.read_contacts(tx, operator_id=operator_id)
    await tx.commit()
    return found


@router.put("", response_model=ContactsPublic, openapi_extra=flow_route("contacts.update"))
async def update_contacts(operator_id: int, data: ContactRulesUpdate, tx: TxDep) -> ContactsPublic:
    """Ore di quiete e regole per priorità (una priorità inviata senza recapiti torna alla predefinita)."""
    found = await flows.update_contacts(tx, operator_id=operator_id, data=data)
    await tx.commit()
    return found


@router.post("/phones", response_model=PhonePublic, status_code=201, openapi_extra=flow_route("contacts.add_phone"))
async def add_phone(operator_id: int, data: PhoneCreate, tx: TxDep) -> PhonePublic:
    """Un altro numero: per le chiamate, per gli SMS (un cellulare) o per entrambi."""
    phone = await flows.add_phone(tx, operator_id=operator_id, data=data)
    await tx.commit()
    await tx.session.refresh(phone)
    return PhonePublic.model_validate(phone, from_attributes=True)


@router.delete("/phones/{phone_id}", status_code=204, openapi_extra=flow_route("contacts.remove_phone"))
async def remove_phone(operator_id: int, phone_id: int, tx: TxDep) -> Response:
    await flows.remove_phone(tx, operator_id=operator_id, phone_id=phone_id)
    await tx.commit()
    return Response(status_code=204)
