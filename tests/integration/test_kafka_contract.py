"""Consumers against the real broker: dead letters, idempotency, and the signed approval."""

from __future__ import annotations

import json
import uuid

import httpx

from gatepost_common import signing
from gatepost_common.cloud_event import envelope
from gatepost_common.consuming import DLQ_REASON_HEADER
from gatepost_common.events import PostApproved, PublishOptions
from gatepost_common.topics import (
    POST_APPROVED,
    POST_GENERATED,
    POST_PUBLISHED,
    TOPIC_CREATED,
    dlq,
)
from gatepost_devstack.outside import (
    APPROVAL,
    collect,
    event_of,
    eventually,
    has,
    produce,
    signed_up,
    topic_created,
)
from gatepost_devstack.stack import Stack


async def test_malformed_topic_goes_to_the_dlq_and_the_generator_keeps_consuming(
    stack: Stack,
) -> None:
    marker = uuid.uuid4().hex
    await produce(stack.kafka_bootstrap, TOPIC_CREATED, f"not json {marker}".encode(), key=marker)
    no_data = {
        "specversion": "1.0",
        "id": marker,
        "source": "x",
        "type": "topic.created",
        "subject": "s",
        "dataschema": "gatepost/topic.created/v1",
        "data": {"text": ""},
    }
    await produce(stack.kafka_bootstrap, TOPIC_CREATED, json.dumps(no_data).encode(), key=marker)

    dead = await collect(
        stack.kafka_bootstrap, dlq(TOPIC_CREATED), lambda r: marker.encode() in r.value, count=2
    )
    assert len(dead) == 2
    reasons = [dict(r.headers)[DLQ_REASON_HEADER].decode() for r in dead]
    assert all(reason.startswith("invalid topic.created CloudEvent") for reason in reasons)

    _, user_id, account_id = signed_up(stack)
    topic_id, value = topic_created(user_id, account_id, "Houseplants that survive anything")
    await produce(stack.kafka_bootstrap, TOPIC_CREATED, value, key=topic_id)
    assert await collect(stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id))


async def test_redelivered_topic_generates_one_post(stack: Stack) -> None:
    _, user_id, account_id = signed_up(stack)
    topic_id, value = topic_created(user_id, account_id, "Morning routines that stick")
    for _ in range(2):  # at-least-once delivery: the same event twice
        await produce(stack.kafka_bootstrap, TOPIC_CREATED, value, key=topic_id)
    posts = await collect(
        stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id), count=1, settle=5.0
    )
    assert len(posts) == 1


async def test_second_approval_emits_no_second_event(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    topic_id, value = topic_created(user_id, account_id, "Budget travel in Portugal")
    await produce(stack.kafka_bootstrap, TOPIC_CREATED, value, key=topic_id)
    [generated] = await collect(stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id))
    # the same post.generated again: the queue keeps one entry
    await produce(stack.kafka_bootstrap, POST_GENERATED, generated.value, key="again")
    post_id = event_of(generated)["data"]["post_id"]
    url = f"/api/approval/posts/{post_id}"
    assert eventually(lambda: client.get(url).status_code == 200)

    first = client.post(f"{url}/approve", json=APPROVAL)
    second = client.post(f"{url}/approve", json=APPROVAL)
    assert (first.status_code, second.status_code) == (202, 409)

    approvals = await collect(
        stack.kafka_bootstrap, POST_APPROVED, has("post_id", post_id), count=1, settle=4.0
    )
    assert len(approvals) == 1
    listed = [
        p for p in client.get("/api/approval/posts?limit=100").json() if p["post_id"] == post_id
    ]
    assert len(listed) == 1


async def test_post_approved_signed_with_another_key_is_refused(stack: Stack) -> None:
    forger_key, _ = signing.generate_keypair()
    post_id, account_id = str(uuid.uuid4()), str(uuid.uuid4())
    unsigned = PostApproved(
        post_id=post_id,
        user_id="u",
        account_id=account_id,
        approved_at="2026-11-22T10:00:00Z",
        approved_by="u",
        title="t",
        description="d",  # type: ignore[arg-type]
        photo_urls=[f"{stack.media_public_url}/{'0' * 64}.jpg"],
        cover_index=0,
        options=PublishOptions(privacy_level="SELF_ONLY", disable_comment=True),
        signature="",
    )
    forged = unsigned.model_copy(
        update={"signature": signing.sign(forger_key, unsigned.signed_data())}
    )
    event = envelope(forged, source="gatepost/approval", subject=post_id)
    await produce(
        stack.kafka_bootstrap, POST_APPROVED, event.model_dump_json().encode(), key=account_id
    )

    [dead] = await collect(
        stack.kafka_bootstrap, dlq(POST_APPROVED), lambda r: post_id.encode() in r.value
    )
    assert b"signature" in dict(dead.headers)[DLQ_REASON_HEADER]
    published = await collect(
        stack.kafka_bootstrap, POST_PUBLISHED, has("post_id", post_id), timeout=3.0
    )
    assert published == []
    inits = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/publishes").json()
    assert not any(p["urls"] == forged.photo_urls for p in inits)


async def test_another_teams_sdk_events_in_both_content_modes_are_generated(stack: Stack) -> None:
    """Another team uses the official CloudEvents SDK and its Kafka binding, structured or
    binary, with an extension attribute: both become posts (they used to go to the DLQ as
    'Extra inputs are not permitted')."""
    from cloudevents.v1.http import CloudEvent as SdkEvent
    from cloudevents.v1.kafka import to_binary, to_structured

    _, user_id, account_id = signed_up(stack)
    sent = []
    for convert in (to_structured, to_binary):
        topic_id = str(uuid.uuid4())
        event = SdkEvent(
            {
                "type": "topic.created",
                "source": "other-team/ingest",
                "datacontenttype": "application/json",
                "partitionkey": topic_id,
                "subject": topic_id,
            },
            {
                "topic_id": topic_id,
                "user_id": user_id,
                "account_id": account_id,
                "text": f"Team topic via {convert.__name__}",
            },
        )
        message = convert(event)
        headers = {k: v.decode() for k, v in message.headers.items()}
        await produce(stack.kafka_bootstrap, TOPIC_CREATED, message.value, topic_id, headers)
        sent.append(topic_id)
    for topic_id in sent:
        assert await collect(stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id))
