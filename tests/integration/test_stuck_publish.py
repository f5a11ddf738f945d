"""A publish TikTok never settles (the stand-in's "stuck in progress" fault: the status stays
PROCESSING_DOWNLOAD, no webhook comes) ends UNKNOWN once PROCESSING_TIMEOUT_S (6 hours) has
passed on the stack's clock, with "check TikTok" and the creator's profile link, and is never
handed to TikTok again."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gatepost_devstack.outside import APPROVAL, eventually, signed_up
from gatepost_devstack.stack import Stack
from tests.integration.test_publisher import outcome, photo_urls, publication, publishes_of
from tests.videos import photo

pytestmark = pytest.mark.moves_clock(hours=7)


def shown(client: httpx.Client, post_id: str) -> dict[str, Any]:
    """The post as approval's queue shows it."""
    post: dict[str, Any] = client.get(f"/api/approval/posts/{post_id}").json()
    return post


async def test_a_publish_stuck_in_progress_ends_unknown_with_the_creators_profile(
    stack: Stack,
) -> None:
    client, _, account_id = signed_up(stack)
    uploaded = client.post(
        "/api/approval/uploads",
        data={"account_id": account_id, "title": "Stuck at TikTok", "caption": "basil"},
        files=[("files", ("stuck.jpg", photo(91, side=1080), "image/jpeg"))],
    )
    assert uploaded.status_code == 201, uploaded.text
    post_id = uploaded.json()["post_id"]
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    httpx.post(f"{control}/stuck-publishes", params={"count": 1}).raise_for_status()
    assert client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code == 202
    taken = eventually(lambda: publication(client, post_id).get("status") == "processing")
    assert taken, publication(client, post_id)
    stack.advance_clock(6 * 3600 + 120)
    result = await outcome(stack, post_id, timeout=120)
    assert result["status"] == "UNKNOWN", result
    reason = result["fail_reason"]
    assert "reported no outcome within 6 hours" in reason, reason
    assert "check TikTok at https://www.tiktok.com/@creator." in reason, reason
    assert eventually(lambda: shown(client, post_id)["status"] == "unknown")
    assert shown(client, post_id)["fail_reason"] == reason
    assert len(publishes_of(stack, photo_urls(client, post_id))) == 1  # never sent again
