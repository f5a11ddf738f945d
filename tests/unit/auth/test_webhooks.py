"""auth reads `tiktok.webhook` (through FastStream's TestKafkaBroker): TikTok's
`authorization.removed` ends the creator's connection as a disconnect does, a repeated delivery
changes nothing more, a removal sent before the connection began (redelivered after a reconnect)
leaves it, and the publisher's events are not auth's business."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from faststream.kafka import KafkaBroker, TestKafkaBroker

from gatepost_auth.webhooks import RemovedAuthorizations, subscribers
from gatepost_devstack.outside import tiktok_webhook
from tests.unit.auth.test_tokens import connected
from tests.unit.publisher.fakes import forwarded


class NotTold:
    """Posts awaiting approval: not these tests' business (test_review_mail.py's)."""

    async def on_post_generated(self, event: object) -> None:
        pass


async def webhook(event: str, open_id: str, **content: object) -> bytes:
    """What the publisher's receiver writes to tiktok.webhook for TikTok's delivery."""
    return await forwarded(tiktok_webhook(event, open_id, **content))


async def test_authorization_removed_disconnects_the_creators_account() -> None:
    auth, tiktok, _clock, account_id = await connected()
    broker = KafkaBroker()
    subscribers(broker, RemovedAuthorizations(auth.keeper), "auth", NotTold())
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


def removal_sent_at(at: datetime, open_id: str = "creator-1") -> bytes:
    """TikTok's authorization.removed body, sent at `at` (create_time: whole UTC seconds)."""
    return json.dumps(
        {
            "client_key": "gatepost-local",
            "event": "authorization.removed",
            "create_time": int(at.timestamp()),
            "user_openid": open_id,
            "content": json.dumps({"reason": 1}),
        }
    ).encode()


async def test_an_old_removal_redelivered_after_a_reconnect_leaves_the_new_connection() -> None:
    """The person removed Gatepost in TikTok, then connected again; TikTok (at least once, for up
    to 72 h) delivers the old removal again: the connection made since is not its business."""
    auth, tiktok, clock, account_id = await connected()
    broker = KafkaBroker()
    subscribers(broker, RemovedAuthorizations(auth.keeper), "auth", NotTold())
    removed = await forwarded(removal_sent_at(clock.at + timedelta(seconds=10)))
    async with TestKafkaBroker(broker) as test_broker:
        clock.at += timedelta(seconds=20)
        await test_broker.publish(removed, topic="tiktok.webhook")
        account = await auth.accounts.get(account_id)
        assert account is not None and account["status"] == "disconnected"
        clock.at += timedelta(seconds=40, milliseconds=700)
        assert await auth.connect("u1", "code-2", None) == account_id  # connected again
        await test_broker.publish(removed, topic="tiktok.webhook")  # the old one, again
        account = await auth.accounts.get(account_id)
        assert account is not None and account["status"] == "connected"
        assert await auth.keeper.access_token(account_id) == "act.2"
        # one sent in the reconnect's own second may be the newer (create_time has whole
        # seconds): it ends the connection, as before
        newer = await forwarded(removal_sent_at(clock.at))
        await test_broker.publish(newer, topic="tiktok.webhook")
    account = await auth.accounts.get(account_id)
    assert account is not None and account["status"] == "disconnected"
    assert tiktok.revoked == []
    kinds = [e["kind"] for e in await auth.keeper.audit.for_account(account_id)]
    assert kinds == ["revoked", "connected", "revoked", "connected"]  # newest first


async def test_an_account_from_before_connected_at_is_bounded_by_its_creation() -> None:
    """Accounts stored before auth kept connected_at: their first connection (created_at) is a
    lower bound, so a removal sent before it is ignored and one sent after it applies."""
    auth, _tiktok, clock, account_id = await connected()
    await auth.accounts.accounts.update_one({"_id": account_id}, {"$unset": {"connected_at": ""}})
    broker = KafkaBroker()
    subscribers(broker, RemovedAuthorizations(auth.keeper), "auth", NotTold())
    async with TestKafkaBroker(broker) as test_broker:
        older = await forwarded(removal_sent_at(clock.at - timedelta(minutes=5)))
        await test_broker.publish(older, topic="tiktok.webhook")
        account = await auth.accounts.get(account_id)
        assert account is not None and account["status"] == "connected"
        newer = await forwarded(removal_sent_at(clock.at + timedelta(minutes=5)))
        await test_broker.publish(newer, topic="tiktok.webhook")
    account = await auth.accounts.get(account_id)
    assert account is not None and account["status"] == "disconnected"
