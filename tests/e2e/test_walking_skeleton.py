"""The whole chain, as outside systems and people drive it: a CloudEvent on Kafka from another
system → post.generated → approval through the gateway → post.published from the TikTok stand-in."""

from __future__ import annotations

import httpx

from gatepost_common.topics import POST_APPROVED, POST_GENERATED, POST_PUBLISHED, TOPIC_CREATED
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


async def test_topic_from_kafka_becomes_a_published_tiktok_post(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    topic_id, value = topic_created(user_id, account_id, "How to brew better coffee at home")
    await produce(stack.kafka_bootstrap, TOPIC_CREATED, value, key=topic_id)

    [generated] = await collect(stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id))
    post = event_of(generated)["data"]
    headers = dict(generated.headers)
    assert headers["content-type"] == b"application/cloudevents+json"
    assert headers["traceparent"].startswith(b"00-"), "trace context must ride in Kafka headers"
    assert post["account_id"] == account_id and post["ai_generated"] is True
    assert len(post["slides"]) == 7 and 3 <= len(post["hashtags"]) <= 5

    slide = httpx.get(post["slides"][0]["image_url"])
    assert slide.status_code == 200 and slide.headers["content-type"] == "image/jpeg"

    def queued_post() -> dict[str, object] | None:
        answer = client.get(f"/api/approval/posts/{post['post_id']}")
        return answer.json() if answer.status_code == 200 else None

    queued = eventually(queued_post)
    assert queued is not None, "the post never reached the approval queue"
    assert queued["status"] == "awaiting_approval" and queued["approved_at"] is None

    approved = client.post(f"/api/approval/posts/{post['post_id']}/approve", json=APPROVAL)
    assert approved.status_code == 202, approved.text

    [published] = await collect(
        stack.kafka_bootstrap, POST_PUBLISHED, has("post_id", post["post_id"])
    )
    outcome = event_of(published)["data"]
    assert outcome["status"] == "PUBLISH_COMPLETE", outcome
    assert outcome["publish_id"]

    def public_ids() -> list[str]:  # TikTok makes the post public after moderation
        jobs = client.get("/api/publisher/publications").json()
        return [i for j in jobs if j["post_id"] == post["post_id"] for i in j["post_ids"]]

    assert eventually(public_ids)

    [approval_event] = await collect(
        stack.kafka_bootstrap, POST_APPROVED, has("post_id", post["post_id"])
    )
    assert event_of(approval_event)["data"]["signature"]

    pulled = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/publishes").json()
    mine = [p for p in pulled if p["publish_id"] == outcome["publish_id"]]
    assert mine and mine[0]["urls"] == [s["image_url"] for s in post["slides"]]


def test_internal_routes_are_not_reachable_through_the_gateway(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    answer = client.post(f"/api/auth/internal/accounts/{account_id}/token", json={})
    assert answer.status_code == 404
    assert "access_token" not in answer.text
