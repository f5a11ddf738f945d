"""HTTP: a person's webhook endpoints (register, list with their last deliveries, remove).

Who may manage them is one dependency, `Manager`: the signed-in browser session (with its CSRF
token on changes), or under `/v1/webhooks` a personal API token with the `webhooks:manage`
scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from gatepost_approval.webhook_endpoints import EndpointRequest, Endpoints
from gatepost_approval.webhook_outbox import WebhookOutbox
from gatepost_approval.webhook_rules import DeliveryState, WebhookEvent
from gatepost_common.api_tokens import WebhooksManager
from gatepost_common.mongo import Document
from gatepost_common.provided import given

Manager = WebhooksManager
Registry = Annotated[Endpoints, given(Endpoints)]
Outbox = Annotated[WebhookOutbox, given(WebhookOutbox)]
EndpointId = Annotated[str, Path(max_length=36)]

router = APIRouter(tags=["webhooks"])


class AttemptView(BaseModel):
    at: datetime
    status: int | None  # the receiver's HTTP status; null when none answered (or refused)
    result: str


class DeliveryView(BaseModel):
    event_id: str
    event: WebhookEvent
    state: DeliveryState
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None  # while pending
    last_attempts: list[AttemptView]

    @classmethod
    def of(cls, d: Document) -> DeliveryView:
        pending = d["state"] == DeliveryState.PENDING
        return cls(**{**d, "next_attempt_at": d["next_attempt_at"] if pending else None})


class EndpointView(BaseModel):
    id: str
    url: str
    events: list[WebhookEvent]
    description: str
    created_at: datetime
    deliveries: list[DeliveryView]  # the newest first


class RegisteredEndpoint(EndpointView):
    secret: str  # shown this once: deliveries are signed with it


def view(endpoint: Document, deliveries: list[Document]) -> EndpointView:
    return EndpointView(
        id=endpoint["_id"],
        url=endpoint["url"],
        events=endpoint["events"],
        description=endpoint["description"],
        created_at=endpoint["created_at"],
        deliveries=[DeliveryView.of(d) for d in deliveries],
    )


@router.get("/v1/webhooks", tags=["api v1"])
@router.get("/webhooks")
async def list_endpoints(user: Manager, registry: Registry, outbox: Outbox) -> list[EndpointView]:
    """Your webhook endpoints, each with its newest deliveries and their last attempts."""
    return [view(e, await outbox.of_endpoint(e["_id"])) for e in await registry.of_user(user.id)]


@router.post("/v1/webhooks", status_code=201, tags=["api v1"])
@router.post("/webhooks", status_code=201)
async def register(
    request: EndpointRequest, user: Manager, registry: Registry
) -> RegisteredEndpoint:
    """Register an endpoint for some events. Its URL must be https on a public address (422
    says why not). The answer holds the secret deliveries are signed with, this once."""
    endpoint = await registry.register(user.id, request)
    return RegisteredEndpoint(**view(endpoint, []).model_dump(), secret=endpoint["secret"])


@router.delete("/v1/webhooks/{endpoint_id}", status_code=204, tags=["api v1"])
@router.delete("/webhooks/{endpoint_id}", status_code=204)
async def remove(endpoint_id: EndpointId, user: Manager, registry: Registry) -> Response:
    """Remove an endpoint; deliveries not sent yet are dropped."""
    await registry.remove(user.id, endpoint_id)
    return Response(status_code=204)
