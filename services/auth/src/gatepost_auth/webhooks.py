"""TikTok's webhooks as auth reads them from `tiktok.webhook`, where the publisher's receiver
writes each delivery once its signature is verified: `authorization.removed` ends every
connection to that creator made before TikTok sent it (tokens dropped, the account disconnected),
as a disconnect does; a connection made since stays. The other events are the publisher's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from faststream.kafka import KafkaBroker

from gatepost_auth.ending import authorization_removed
from gatepost_auth.tokens import TokenKeeper
from gatepost_common.cloud_event import CloudEvent
from gatepost_common.consuming import PoisonMessage, subscribe
from gatepost_common.events import PostGenerated, TikTokWebhook

# auth's database away for a while must not dead-letter a removal: ask again for minutes
REMOVAL_ATTEMPTS, REMOVAL_PAUSE_S = 60, 3.0


@dataclass
class RemovedAuthorizations:
    keeper: TokenKeeper

    async def on_webhook(self, event: CloudEvent[TikTokWebhook]) -> None:
        webhook = event.data
        if webhook.event != "authorization.removed":
            return
        if not webhook.user_openid:
            raise PoisonMessage("authorization.removed names no creator (user_openid)")
        reason = webhook.details().get("reason", 0)
        await authorization_removed(
            self.keeper,
            webhook.user_openid,
            reason if isinstance(reason, int) else 0,
            created_at(webhook),
        )


def created_at(webhook: TikTokWebhook) -> datetime | None:
    """When TikTok sent the event (its `create_time`, UTC seconds); None when it says not."""
    if webhook.create_time <= 0:
        return None
    return datetime.fromtimestamp(webhook.create_time, UTC)


class Told(Protocol):
    async def on_post_generated(self, event: CloudEvent[PostGenerated]) -> None: ...


def subscribers(
    broker: KafkaBroker, removed: RemovedAuthorizations, group_id: str, told: Told
) -> None:
    """What auth consumes on Kafka (its AsyncAPI document lists it); it emits nothing.
    `told`: posts awaiting approval, mailed to their person (review_mail.py)."""
    subscribe(broker, PostGenerated, told.on_post_generated, group_id=group_id)
    subscribe(
        broker,
        TikTokWebhook,
        removed.on_webhook,
        group_id=group_id,
        max_attempts=REMOVAL_ATTEMPTS,
        pause_s=REMOVAL_PAUSE_S,
    )
