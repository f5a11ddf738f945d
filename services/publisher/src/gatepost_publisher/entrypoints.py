"""HTTP routes (publications and audit log of the signed-in user, TikTok's webhook receiver) and
the `post.approved` subscriber."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request
from faststream.kafka import KafkaBroker

from gatepost_common.audit import AuditLog
from gatepost_common.consuming import subscribe
from gatepost_common.events import PostApproved, PostProgressed, PostPublished
from gatepost_common.kafka import emits
from gatepost_common.sessions import User, session_user
from gatepost_publisher.intake import Intake
from gatepost_publisher.jobs import MongoJobRepository
from gatepost_publisher.schemas import AuditEntry, Publication, WebhookReceipt
from gatepost_publisher.settings import Settings
from gatepost_publisher.webhooks import BadSignature, WebhookInbox, verify_signature


def routes(
    settings: Settings, jobs: MongoJobRepository, audit: AuditLog, inbox: WebhookInbox
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
    async def tiktok_webhook(request: Request, background: BackgroundTasks) -> WebhookReceipt:
        body = await request.body()
        try:
            verify_signature(
                settings.tiktok_client_secret,
                request.headers.get("tiktok-signature", ""),
                body,
                inbox.clock.now(),
                settings.webhook_tolerance_s,
            )
        except BadSignature as refused:
            raise HTTPException(401, str(refused)) from None
        pending = await inbox.receive(body)
        if pending and inbox.must_apply_first(body):
            if not await inbox.apply(body):
                raise HTTPException(503, "not applied yet: deliver it again")
        elif pending:
            background.add_task(inbox.apply, body)  # after the 200 has gone out
        return WebhookReceipt(received=True, duplicate=not pending)

    return router


def subscribers(broker: KafkaBroker, intake: Intake, consumers: int) -> None:
    """What the publisher consumes and emits on Kafka (its AsyncAPI document lists both)."""
    emits(broker, PostPublished)
    emits(broker, PostProgressed)
    subscribe(
        broker, PostApproved, intake.on_post_approved, group_id="publisher", consumers=consumers
    )
