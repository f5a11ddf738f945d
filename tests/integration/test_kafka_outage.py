"""An approval made while Kafka is down is not lost: the outbox emits it when Kafka is back, and
the person sees it published exactly once. Runs last: it stops the shared broker."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gatepost_common.topics import POST_APPROVED
from gatepost_devstack import infra
from gatepost_devstack.outside import APPROVAL, collect, eventually, has
from gatepost_devstack.stack import Stack
from tests.integration.test_approval import queued_post


@pytest.mark.disruptive
async def test_approval_during_a_kafka_outage_is_emitted_once_it_returns(stack: Stack) -> None:
    client, post_id, _ = await queued_post(stack)
    kafka = stack.supervisor.child("kafka")
    stack.supervisor.stop_child(kafka)
    stack.supervisor.children.remove(kafka)
    answer = client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
    assert answer.status_code == 202  # stored; the event waits in the outbox
    assert client.get(f"/api/approval/posts/{post_id}").json()["status"] == "approved"
    await asyncio.to_thread(infra.start_kafka, stack.supervisor, stack.kafka_config)
    events = await collect(
        stack.kafka_bootstrap, POST_APPROVED, has("post_id", post_id), timeout=90
    )
    # At-least-once: a send that timed out during the outage may still reach Kafka, and the
    # outbox sends again. What the person sees is exactly once: one job, one TikTok post.
    assert events

    def status() -> str:
        return str(client.get(f"/api/approval/posts/{post_id}").json()["status"])

    assert eventually(lambda: status() == "published", timeout=120), status()
    post = client.get(f"/api/approval/posts/{post_id}").json()
    urls = [s["image_url"] for s in post["slides"]]
    publishes = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/publishes").json()
    assert len([p for p in publishes if p["urls"] == urls]) == 1
    jobs = client.get("/api/publisher/publications").json()
    assert len([j for j in jobs if j["post_id"] == post_id]) == 1
