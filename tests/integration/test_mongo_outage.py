"""Approvals that reach the publisher while MongoDB is away for two minutes are waited out, not
dead-lettered: once MongoDB is back each is published exactly once, and no dead letter is
written. Runs last: it stops the shared database."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from gatepost_common.topics import ALL_TOPICS, POST_APPROVED
from gatepost_devstack import dead_letters
from gatepost_devstack.outages import frozen, start_mongo, stop_mongo
from gatepost_devstack.outside import APPROVAL, collect, event_of, eventually
from gatepost_devstack.stack import Stack
from tests.integration.test_approval import queued_post

OUTAGE_S = 120.0
POSTS = 3


async def dead_letter_count(stack: Stack) -> int:
    options = stack.kafka_options()
    found = [await dead_letters.read(stack.kafka_bootstrap, t, options) for t in ALL_TOPICS]
    return sum(len(letters) for letters in found)


@pytest.mark.disruptive
@pytest.mark.timeout(900)
async def test_approvals_during_a_two_minute_mongodb_outage_are_each_published_once(
    stack: Stack,
) -> None:
    before = await dead_letter_count(stack)
    posts = [await queued_post(stack) for _ in range(POSTS)]  # a creator each: caps stay apart
    ids = {post_id for _, post_id, _ in posts}
    with frozen(stack, "publisher"):  # the approvals wait in Kafka for it
        for client, post_id, _ in posts:
            approved = client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
            assert approved.status_code == 202, approved.text
        await collect(
            stack.kafka_bootstrap,
            POST_APPROVED,
            lambda r: approved_here(r, ids),
            count=POSTS,
        )
        await asyncio.to_thread(stop_mongo, stack)
    # the publisher takes the approvals in now, with its database away for two minutes: the
    # old consumer dead-lettered each after five failed deliveries (about 30 s)
    await asyncio.sleep(OUTAGE_S)
    await asyncio.to_thread(start_mongo, stack)

    def statuses() -> dict[str, str]:
        return {
            post_id: client.get(f"/api/approval/posts/{post_id}").json().get("status", "")
            for client, post_id, _ in posts
        }

    assert eventually(lambda: set(statuses().values()) == {"published"}, timeout=180), statuses()
    publishes = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/publishes").json()
    for client, post_id, _ in posts:
        urls = [
            s["image_url"] for s in client.get(f"/api/approval/posts/{post_id}").json()["slides"]
        ]
        assert len([p for p in publishes if p["urls"] == urls]) == 1, post_id
        jobs = client.get("/api/publisher/publications").json()
        assert len([j for j in jobs if j["post_id"] == post_id]) == 1, post_id
    assert await dead_letter_count(stack) == before, "no message was dead-lettered"


def approved_here(record: Any, ids: set[str]) -> bool:
    """One of this test's approvals; other tests write to the topic too (an ACL probe's bytes)."""
    try:
        return event_of(record)["data"]["post_id"] in ids
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
