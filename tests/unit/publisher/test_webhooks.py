"""TikTok's webhooks on the publisher's side: the receiver hands a verified delivery to
`tiktok.webhook` (its id the digest of TikTok's bytes, keyed by creator); the publisher's consumer
(through FastStream's TestKafkaBroker) settles the post a `post.publish.*` event names, once
however often TikTok delivers it, and leaves `authorization.removed` to auth."""

from __future__ import annotations

import hashlib
import time
from typing import Any, cast

import httpx
import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from gatepost_common.clock import Clock
from gatepost_common.cloud_event import CloudEvent
from gatepost_devstack.outside import tiktok_webhook
from gatepost_publisher.entrypoints import WebhookReceiver, router, subscribers
from gatepost_publisher.webhooks import WebhookInbox, forward
from gatepost_standins.tiktok.webhooks import signature
from tests.unit.asgi import served
from tests.unit.memory import MemoryDatabase
from tests.unit.publisher.fakes import World, forwarded, world


async def test_a_verified_delivery_goes_to_the_topic_as_tiktok_sent_it() -> None:
    sent: list[tuple[CloudEvent[Any], str]] = []

    async def emit(event: CloudEvent[Any], key: str) -> None:
        sent.append((event, key))

    body = tiktok_webhook("post.publish.complete", "creator-1", publish_id="p_pub_1")
    await forward(emit, body)
    await forward(emit, body)  # TikTok delivers again: the same event
    [(first, key), (again, _)] = sent
    assert first.type == "tiktok.webhook" and key == "creator-1"
    assert first.id == again.id == hashlib.sha256(body).hexdigest()
    assert first.data.body.encode() == body and first.data.event == "post.publish.complete"
    with pytest.raises(ValueError):
        await forward(emit, b"[1, 2]")


async def processing(w: World) -> str:
    await w.approve()
    await w.step()  # creator_info, then content/init: TikTok is processing it
    assert w.job()["status"] == "processing"
    return str(w.job()["publish_id"])


async def test_a_publish_event_settles_its_post_once_and_removal_is_left_to_auth() -> None:
    w = world()
    publish_id = await processing(w)
    db = MemoryDatabase()
    inbox = WebhookInbox(cast(Any, db), w.jobs, w.parts.following, w.audit, w.clock)
    broker = KafkaBroker()
    subscribers(broker, w.parts.intake, inbox, 1)
    complete = tiktok_webhook("post.publish.complete", "creator-1", publish_id=publish_id)
    removed = tiktok_webhook("authorization.removed", "creator-1", reason=1)
    async with TestKafkaBroker(broker) as test_broker:
        for body in (complete, complete, removed):
            await test_broker.publish(await forwarded(body), topic="tiktok.webhook")
    assert w.job()["status"] == "done" and w.job()["result"] == "PUBLISH_COMPLETE"
    assert [e.status for e in w.emitted] == ["PUBLISH_COMPLETE"]
    assert w.audit.kinds().count("webhook") == 1, "delivered twice, applied once"
    stored = [d async for d in db["webhook_inbox"].find({})]
    assert [(d["_id"], d["applied"]) for d in stored] == [
        (hashlib.sha256(complete).hexdigest(), True)
    ], "authorization.removed is auth's: not kept here"


def receiver(sent: list[CloudEvent[Any]], *, kafka_down: bool = False) -> httpx.AsyncClient:
    async def emit(event: CloudEvent[Any], key: str) -> None:
        if kafka_down:
            raise TimeoutError("Kafka did not acknowledge")
        sent.append(event)

    held = WebhookReceiver(SECRET, 300, emit, Clock())
    return served([router], {WebhookReceiver: held})


SECRET = "client-secret"


async def delivered(
    http: httpx.AsyncClient, body: bytes, secret: str = SECRET, age_s: int = 0
) -> httpx.Response:
    signed = signature(secret, int(time.time()) - age_s, body)
    return await http.post("/webhooks/tiktok", content=body, headers={"TikTok-Signature": signed})


async def test_the_route_answers_tiktok_only_for_what_kafka_holds() -> None:
    sent: list[CloudEvent[Any]] = []
    body = tiktok_webhook("post.publish.complete", "creator-1", publish_id="p_pub_1")
    async with receiver(sent) as http:
        accepted = await delivered(http, body)
        forged = await delivered(http, body, secret="not ours")
        stale = await delivered(http, body, age_s=3600)
        no_event = await delivered(http, b"[1]")
    assert accepted.status_code == 200 and accepted.json() == {"received": True}
    assert (forged.status_code, stale.status_code, no_event.status_code) == (401, 401, 400)
    assert [e.data.body.encode() for e in sent] == [body]  # only the verified event went on
    down: list[CloudEvent[Any]] = []
    async with receiver(down, kafka_down=True) as http:
        unheld = await delivered(http, body)
    assert unheld.status_code == 503 and not down  # TikTok delivers it again
