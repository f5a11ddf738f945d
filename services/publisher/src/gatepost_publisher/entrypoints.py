"""HTTP routes (publications and audit log of the signed-in user, TikTok's webhook receiver) and
the `post.approved` subscriber."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from faststream.kafka import KafkaBroker

from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock
from gatepost_common.consuming import subscribe
from gatepost_common.events import PostApproved, PostProgressed, PostPublished, TikTokWebhook
from gatepost_common.kafka import Emit, emits
from gatepost_common.sessions import User, session_user
from gatepost_publisher.intake import Intake
from gatepost_publisher.jobs import MongoJobRepository
from gatepost_publisher.schemas import AuditEntry, Publication, WebhookReceipt
from gatepost_publisher.settings import Settings
from gatepost_publisher.webhooks import BadSignature, WebhookInbox, forward, verify_signature


def routes(
    settings: Settings, jobs: MongoJobRepository, audit: AuditLog, emit: Emit, clock: Clock
) -> APIRouter:
    router = APIRouter()
    current_user = session_user(settings.session_public_key)

    @router.get("/publications", tags=["publications"])
    async def publications(user: User = current_user) -> list[Publication]:
        return [Publication.of(j) for j in await jobs.for_user(user.id)]

    @router.get("/accounts/{account_id}/audit", tags=["publications"])
    async def audit_log(
        account_id: str,
        user: User = current_user,
        limit: Annotated[int, Query(ge=1, le=500)] = 200,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> list[AuditEntry]:
        """The account's audit entries, newest first, a page at a time."""
        if not await jobs.owns_account(user.id, account_id):
            raise HTTPException(404, "no such account")
        return [
            AuditEntry.model_validate(e) for e in await audit.for_account(account_id, limit, offset)
        ]

    @router.post("/webhooks/tiktok", tags=["webhooks"])
    async def tiktok_webhook(request: Request) -> WebhookReceipt:
        """Verified once here, then handed to `tiktok.webhook` for auth and the publisher;
        TikTok hears 200 only once Kafka holds the event (an error: it delivers again)."""
        body = await request.body()
        try:
            verify_signature(
                settings.tiktok_client_secret,
                request.headers.get("tiktok-signature", ""),
                body,
                clock.now(),
                settings.webhook_tolerance_s,
            )
        except BadSignature as refused:
            raise HTTPException(401, str(refused)) from None
        try:
            await forward(emit, body)
        except ValueError as error:
            raise HTTPException(400, f"not a TikTok event: {error}") from None
        except TimeoutError:
            raise HTTPException(503, "not stored yet: deliver it again") from None
        return WebhookReceipt(received=True)

    return router


def subscribers(broker: KafkaBroker, intake: Intake, inbox: WebhookInbox, consumers: int) -> None:
    """What the publisher consumes and emits on Kafka (its AsyncAPI document lists both)."""
    emits(broker, PostPublished)
    emits(broker, PostProgressed)
    emits(broker, TikTokWebhook)
    subscribe(
        broker, PostApproved, intake.on_post_approved, group_id="publisher", consumers=consumers
    )
    # webhooks come in bursts too (two or three a post): partitions side by side, like intake
    subscribe(broker, TikTokWebhook, inbox.on_webhook, group_id="publisher", consumers=consumers)
