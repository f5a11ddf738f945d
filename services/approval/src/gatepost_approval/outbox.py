"""The approvals' outbox: a signed `post.approved` is stored with the post's approval and emitted
after; one Kafka did not acknowledge is emitted again (consumers are idempotent by post and
attempt), so an approval is never lost and never sent for a post that was not approved."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gatepost_approval.adapters import MongoPostRepository
from gatepost_approval.webhook_outbox import WebhookOutbox
from gatepost_approval.webhook_rules import WebhookEvent
from gatepost_common.cloud_event import parse
from gatepost_common.events import PostApproved
from gatepost_common.kafka import Emit
from gatepost_common.passes import every

logger = logging.getLogger(__name__)


@dataclass
class ApprovalOutbox:
    posts: MongoPostRepository
    emit: Emit
    interval_s: float
    webhooks: WebhookOutbox

    async def flush(self, post_id: str | None = None) -> int:
        """Emit stored approvals that Kafka has not acknowledged yet; returns how many."""
        sent = 0
        while (claimed := await self.posts.claim_outbox(post_id)) is not None:
            event = parse(PostApproved, claimed["outbox_event"].encode())
            try:
                await self.emit(event, event.data.account_id)
            except Exception:
                logger.warning(
                    "post.approved not emitted yet; the outbox will retry",
                    extra={"fields": {"post_id": claimed["_id"]}},
                )
                await self.posts.outbox_release(claimed["_id"])
                return sent
            approved = event.data
            await self.webhooks.announce(  # before it is marked sent: a crash announces again
                WebhookEvent.APPROVED,
                approved.user_id,
                approved.post_id,
                approved.attempt,
                {
                    "account_id": approved.account_id,
                    "approved_at": approved.approved_at.isoformat(),
                    "publish_after": approved.publish_after.isoformat()
                    if approved.publish_after
                    else None,
                },
            )
            await self.posts.outbox_sent(claimed["_id"])
            sent += 1
        return sent

    async def run(self) -> None:
        await every(self.interval_s, self.flush, logger, "outbox pass failed")
