"""auth reads `tiktok.webhook` (through FastStream's TestKafkaBroker): TikTok's
`authorization.removed` ends the creator's connection as a disconnect does, a repeated delivery
changes nothing more, and the publisher's events are not auth's business."""

from __future__ import annotations

import json

from faststream.kafka import KafkaBroker, TestKafkaBroker

from gatepost_auth.webhooks import RemovedAuthorizations, subscribers
from gatepost_common.cloud_event import envelope
from gatepost_common.events import TikTokWebhook
from tests.unit.auth.test_tokens import connected


def webhook(event: str, open_id: str, **content: object) -> bytes:
    body = json.dumps(
        {
            "client_key": "client",
            "event": event,
            "create_time": 1_795_000_000,
            "user_openid": open_id,
            "content": json.dumps(content),
        }
    ).encode()
    data = TikTokWebhook.received(body)
    return envelope(data, source="gatepost/publisher", subject=open_id).model_dump_json().encode()


async def test_authorization_removed_disconnects_the_creators_account() -> None:
    auth, tiktok, _clock, account_id = await connected()
    broker = KafkaBroker()
    subscribers(broker, RemovedAuthorizations(auth.keeper), "auth")
    async with TestKafkaBroker(broker) as test_broker:
        publish = webhook("post.publish.complete", "creator-1", publish_id="p_pub_1")
        await test_broker.publish(publish, topic="tiktok.webhook")
        account = await auth.accounts.get(account_id)
        assert account is not None and account["status"] == "connected", "not auth's event"
        removed = webhook("authorization.removed", "creator-1", reason=1)
        await test_broker.publish(removed, topic="tiktok.webhook")
        await test_broker.publish(removed, topic="tiktok.webhook")  # TikTok delivered it twice
    account = await auth.accounts.get(account_id)
    assert account is not None and account["status"] == "disconnected"
    assert "access_token" not in account and "refresh_token" not in account
    assert tiktok.revoked == [], "TikTok ended it already: nothing to revoke there"
    kinds = [e["kind"] for e in await auth.keeper.audit.for_account(account_id)]
    assert kinds[:1] == ["revoked"] and kinds.count("revoked") == 1
