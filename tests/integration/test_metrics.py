"""The services' OpenTelemetry metrics, exported over OTLP from the real processes: a post
generated, approved and published, a topic that fails, a publish TikTok defers, and the TikTok
calls on the way, each moves its counter; the latency histograms fill."""

from __future__ import annotations

import uuid
from typing import Any

from gatepost_common.topics import POST_PUBLISHED
from gatepost_devstack.outside import (
    APPROVAL,
    collect,
    eventually,
    generated_post,
    has,
    metric_total,
    signed_up,
)
from gatepost_devstack.stack import Stack

INIT = "/v2/post/publish/content/init/"
WATCHED = {
    "generated": ("gatepost.posts.generated", {}),
    "approved": ("gatepost.posts.approved", {}),
    "published": ("gatepost.posts.published", {"status": "PUBLISH_COMPLETE"}),
    "generation failed": ("gatepost.posts.failed", {"stage": "generation"}),
    "deferred": ("gatepost.posts.deferred", {"kind": "deferred"}),
    "init ok": ("gatepost.tiktok.calls", {"endpoint": INIT, "code": "ok", "http.status": 200}),
    "init refused": (
        "gatepost.tiktok.calls",
        {"endpoint": INIT, "code": "spam_risk_too_many_posts", "http.status": 403},
    ),
    "token exchange": ("gatepost.tiktok.calls", {"endpoint": "/v2/oauth/token/", "code": "ok"}),
    "generation latency": ("gatepost.generation.duration", {"outcome": "generated"}),
    "image stage latency": ("gatepost.generation.stage.duration", {"stage": "images"}),
    "publish latency": ("gatepost.publish.duration", {"status": "PUBLISH_COMPLETE"}),
}


def readings(stack: Stack) -> dict[str, float]:
    points = stack.metric_points()
    return {label: metric_total(points, name, **attrs) for label, (name, attrs) in WATCHED.items()}


async def test_each_outcome_moves_its_metric(
    stack: Stack, faults: Any, openai_behaviour: Any
) -> None:
    before = readings(stack)
    client, user_id, account_id = signed_up(stack)

    published = await generated_post(stack, client, user_id, account_id, "Metrics, published")
    client.post(f"/api/approval/posts/{published}/approve", json=APPROVAL).raise_for_status()
    await collect(stack.kafka_bootstrap, POST_PUBLISHED, has("post_id", published), timeout=60)

    deferred = await generated_post(stack, client, user_id, account_id, "Metrics, deferred")
    faults(INIT, next_errors=1, error_status=403, error_code="spam_risk_too_many_posts")
    client.post(f"/api/approval/posts/{deferred}/approve", json=APPROVAL).raise_for_status()

    marker = f"broken-{uuid.uuid4().hex[:6]}"
    openai_behaviour(invalid_text_when=[marker])
    client.post(
        "/api/generator/topics", json={"text": f"Metrics {marker}", "account_id": account_id}
    ).raise_for_status()

    def not_moved() -> list[str]:
        now = readings(stack)
        return [label for label in WATCHED if now[label] < before[label] + 1]

    assert eventually(lambda: not not_moved(), timeout=45), f"unchanged: {not_moved()}"
