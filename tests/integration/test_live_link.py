"""The live link against the stack: TikTok's moderation holds a post's public id for two hours
(the stand-in's clock and the services' move together), its webhooks never reach Gatepost, and
the publisher's status polls still bring the link, the 19-digit id a string from TikTok's answer
to the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gatepost_devstack.outside import APPROVAL, eventually, generated_post, signed_up
from gatepost_devstack.stack import Stack
from tests.integration.test_publisher import outcome, publication


@pytest.mark.moves_clock(hours=2)
@pytest.mark.timeout(900)  # when it runs alone, the stack starts within its time
async def test_a_public_id_that_comes_two_hours_later_gives_the_link(stack: Stack) -> None:
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    timing = httpx.patch(f"{control}/timing", json={}).json()
    httpx.patch(f"{control}/timing", json={"moderation_delay_s": 7200}).raise_for_status()
    nowhere = {"webhook_url": "http://127.0.0.1:9/nowhere"}  # webhooks lost: polls only
    httpx.patch(f"{control}/apps/gatepost-local", json=nowhere).raise_for_status()
    try:
        client, user_id, account_id = signed_up(stack)
        post_id = await generated_post(stack, client, user_id, account_id)
        client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
        published = await outcome(stack, post_id)
        assert published["status"] == "PUBLISH_COMPLETE" and published["link"] is None
        stack.advance_clock(7200)

        def live() -> dict[str, Any] | None:
            found = publication(client, post_id)
            return found if found.get("link") else None

        found = eventually(live, timeout=60)
        assert found is not None
        public_id = found["public_id"]
        assert isinstance(public_id, str) and len(public_id) == 19 and int(public_id) > 2**53
        assert found["link"].endswith(f"/photo/{public_id}")
        insight = client.get(f"/api/publisher/insights/posts/{post_id}").json()
        assert insight["public_id"] == public_id and insight["link"] == found["link"]
    finally:
        httpx.patch(f"{control}/apps/gatepost-local", json={"webhook_url": ""})
        httpx.patch(f"{control}/timing", json={"moderation_delay_s": timing["moderation_delay_s"]})
