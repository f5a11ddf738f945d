"""auth reads `tiktok.webhook` (through FastStream's TestKafkaBroker): TikTok's
`authorization.removed` ends the creator's connection as a disconnect does, a repeated delivery
changes nothing more, and the publisher's events are not auth's business."""

from __future__ import annotations

from faststream.kafka import KafkaBroker, TestKafkaBroker

from gatepost_auth.webhooks import RemovedAuthorizations, subscribers
from gatepost_devstack.outside import tiktok_webhook
from tests.unit.auth.test_tokens import connected
from tests.unit.publisher.fakes import forwarded


async def webhook(event: str, open_id: str, **content: object) -> bytes:
    """What the publisher's receiver writes to tiktok.webhook for TikTok's delivery."""
    return await forwarded(tiktok_webhook(event, open_id, **content))


async def test_authorization_removed_disconnects_the_creators_account() -> None:
    auth, tiktok, _clock, account_id = await connected()
    broker = KafkaBroker()
    subscribers(broker, RemovedAuthorizations(auth.keeper), "auth")
    async with TestKafkaBroker(broker) as test_broker:
        publish = await webhook("post.publish.complete", "creator-1", publish_id="p_pub_1")
        await test_broker.publish(publish, topic="tiktok.webhook")
        account = await auth.accounts.get(account_id)
        assert account is not None and account["status"] == "connected", "not auth's event"
        removed = await webhook("authorization.removed", "creator-1", reason=1)
        await test_broker.publish(removed, topic="tiktok.webhook")
        await test_broker.publish(removed, topic="tiktok.webhook")  # TikTok delivered it twice
    account = await auth.accounts.get(account_id)
    assert account is not None and account["status"] == "disconnected"
    assert "access_token" not in account and "refresh_token" not in account
    assert tiktok.revoked == [], "TikTok ended it already: nothing to revoke there"
    kinds = [e["kind"] for e in await auth.keeper.audit.for_account(account_id)]
    assert kinds[:1] == ["revoked"] and kinds.count("revoked") == 1
