"""HTTP routes (publications and audit log of the signed-in user, TikTok's webhook receiver) and
the `post.approved` subscriber."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from faststream.kafka import KafkaBroker

from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock
from gatepost_common.consuming import subscribe
from gatepost_common.door import takes
from gatepost_common.events import (
    PostApproved,
    PostMeasured,
    PostProgressed,
    PostPublished,
    TikTokWebhook,
)
from gatepost_common.kafka import Emit, emits
from gatepost_common.provided import given
from gatepost_common.sessions import CurrentUser
from gatepost_publisher.intake import Intake
from gatepost_publisher.jobs import MongoJobRepository
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.schemas import AuditEntry, Publication, WebhookReceipt
from gatepost_publisher.webhooks import BadSignature, WebhookInbox, forward, verify_signature

router = APIRouter()
Jobs = Annotated[MongoJobRepository, given(MongoJobRepository)]


@dataclass(frozen=True)
class WebhookReceiver:
    """What TikTok's webhook route needs: the app's secret (it signs each delivery), how old a
    delivery may be, where verified ones go, and the time."""

    client_secret: str
    tolerance_s: int
    emit: Emit
    clock: Clock


@router.get("/publications", tags=["publications"])
async def publications(
    user: CurrentUser, jobs: Jobs, live: Annotated[LiveStore, given(LiveStore)]
) -> list[Publication]:
    found = await jobs.for_user(user.id)
    lives = await live.of_posts([j["post_id"] for j in found])
    return [Publication.of(j, lives.get(j["post_id"])) for j in found]


@router.get("/accounts/{account_id}/audit", tags=["publications"])
async def audit_log(
    account_id: str,
    user: CurrentUser,
    jobs: Jobs,
    audit: Annotated[AuditLog, given(AuditLog)],
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AuditEntry]:
    """The account's audit entries, newest first, a page at a time."""
    if not await jobs.owns_account(user.id, account_id):
        raise HTTPException(404, "no such account")
    entries = await audit.for_account(account_id, limit, offset)
    return [AuditEntry.model_validate(e) for e in entries]


WEBHOOK_BODY_BYTES = 64_000  # TikTok's events are a few hundred bytes


@router.post("/webhooks/tiktok", tags=["webhooks"], dependencies=[takes(WEBHOOK_BODY_BYTES)])
async def tiktok_webhook(
    request: Request, receiver: Annotated[WebhookReceiver, given(WebhookReceiver)]
) -> WebhookReceipt:
    """Verified once here, then handed to `tiktok.webhook` for auth and the publisher;
    TikTok hears 200 only once Kafka holds the event (an error: it delivers again). An unsigned
    delivery is refused before its body is read; a signed one is read up to 64 kB."""
    if not request.headers.get("tiktok-signature"):
        raise HTTPException(401, "unsigned: a Tiktok-Signature header is required")
    body = await request.body()
    try:
        verify_signature(
            receiver.client_secret,
            request.headers.get("tiktok-signature", ""),
            body,
            receiver.clock.now(),
            receiver.tolerance_s,
        )
    except BadSignature as refused:
        raise HTTPException(401, str(refused)) from None
    try:
        await forward(receiver.emit, body)
    except ValueError as error:
        raise HTTPException(400, f"not a TikTok event: {error}") from None
    except TimeoutError:
        raise HTTPException(503, "not stored yet: deliver it again") from None
    return WebhookReceipt(received=True)


def subscribers(broker: KafkaBroker, intake: Intake, inbox: WebhookInbox, consumers: int) -> None:
    """What the publisher consumes and emits on Kafka (its AsyncAPI document lists both)."""
    emits(broker, PostPublished)
    emits(broker, PostProgressed)
    emits(broker, TikTokWebhook)
    emits(broker, PostMeasured)
    subscribe(
        broker, PostApproved, intake.on_post_approved, group_id="publisher", consumers=consumers
    )
    # webhooks come in bursts too (two or three a post): partitions side by side, like intake
    subscribe(broker, TikTokWebhook, inbox.on_webhook, group_id="publisher", consumers=consumers)
