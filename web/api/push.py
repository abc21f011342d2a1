"""Routes of the pages' push script: the public VAPID key, and the signed-in operator's subscriptions."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, field_validator
from sqlmodel import col, select

from alerts.push import flows
from alerts.push.models import PushSubscription, PushSubscriptionPublic
from integrations.webpush.wiring import public_key
from web import container
from web.api.deps import CurrentActor, SessionDep, TxDep, flow_route

router = APIRouter(prefix="/push", tags=["avvisi push"])


class PushKeys(BaseModel):
    p256dh: str = Field(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_\-=]+$")
    auth: str = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_\-=]+$")


class SubscriptionIn(BaseModel):
    """The browser's ``PushSubscription.toJSON()`` as the page's script sends it."""

    endpoint: str = Field(min_length=12, max_length=1000)
    keys: PushKeys
    expirationTime: float | None = None

    @field_validator("endpoint")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("l'indirizzo del servizio push deve essere https:// / must be an https URL")
        return value


class EndpointIn(BaseModel):
    endpoint: str = Field(min_length=12, max_length=1000)


class PublicKey(BaseModel):
    public_key: str


@router.get("/key", response_model=PublicKey, summary="Chiave pubblica VAPID / VAPID public key")
async def vapid_key(request: Request) -> PublicKey:
    """What a browser subscribes with (``applicationServerKey``): public by nature."""
    return PublicKey(public_key=public_key(container.settings_of(request)))


@router.get("/subscriptions", response_model=list[PushSubscriptionPublic], summary="I miei dispositivi / my devices")
async def my_subscriptions(actor: CurrentActor, session: SessionDep) -> list[PushSubscriptionPublic]:
    rows = await session.exec(select(PushSubscription).where(col(PushSubscription.operator_id) == actor.operator_id))
    return [PushSubscriptionPublic.model_validate(r, from_attributes=True) for r in rows.all()]


@router.post(
    "/subscriptions",
    response_model=PushSubscriptionPublic,
    status_code=201,
    summary="Ricevi gli avvisi su questo dispositivo / receive notices on this device",
    openapi_extra=flow_route("push.subscribe"),
)
async def subscribe(data: SubscriptionIn, request: Request, tx: TxDep) -> PushSubscriptionPublic:
    row = await flows.subscribe(
        tx,
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        user_agent=request.headers.get("user-agent"),
    )
    await tx.commit()
    return PushSubscriptionPublic.model_validate(row, from_attributes=True)


@router.post(
    "/unsubscribe",
    status_code=204,
    summary="Non ricevere più avvisi su questo dispositivo / stop notices on this device",
    openapi_extra=flow_route("push.unsubscribe"),
)
async def unsubscribe(data: EndpointIn, tx: TxDep) -> Response:
    await flows.unsubscribe(tx, endpoint=data.endpoint)
    await tx.commit()
    return Response(status_code=204)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="Togli un dispositivo / remove a device",
    openapi_extra=flow_route("push.unsubscribe"),
)
async def remove(subscription_id: int, tx: TxDep) -> Response:
    await flows.unsubscribe(tx, subscription_id=subscription_id)
    await tx.commit()
    return Response(status_code=204)
