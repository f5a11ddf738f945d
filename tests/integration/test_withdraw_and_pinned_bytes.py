"""Issue 30 against the running stack: a person withdraws an approval before TikTok's init, and
a file swapped behind an approved URL is refused before the init (nothing reaches TikTok)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from gatepost_devstack.outside import APPROVAL, eventually, generated_post, signed_up
from gatepost_devstack.stack import Stack
from tests.integration.test_publisher import outcome, photo_urls, publication, publishes_of


def audited(client: httpx.Client, account_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get(f"/api/publisher/accounts/{account_id}/audit").json()
    return entries


def swap_behind(stored: Path) -> None:
    """Other bytes behind a stored name, as someone with the media folder in hand could put."""
    assert stored.exists(), stored
    stored.write_bytes(stored.read_bytes() + b"\x00 appended after approval")


async def test_a_withdrawn_approval_is_never_sent_to_tiktok(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    approved = client.post(
        f"/api/approval/posts/{post_id}/approve", json={**APPROVAL, "publish_after": later}
    )
    assert approved.status_code == 202, approved.text
    assert eventually(lambda: publication(client, post_id).get("status") == "queued")
    route = f"/api/publisher/publications/{post_id}/withdraw"

    other, _, _ = signed_up(stack)
    assert other.post(route).status_code == 404, "another person's post is not found"
    no_csrf = httpx.post(f"{stack.gateway_url}{route}", cookies=dict(client.cookies))
    assert no_csrf.status_code == 403, "a state-changing browser route needs the CSRF token"

    withdrawn = client.post(route)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json() == {"post_id": post_id, "status": "WITHDRAWN"}
    result = await outcome(stack, post_id)
    assert result["status"] == "WITHDRAWN" and "withdrew" in result["fail_reason"]
    assert eventually(
        lambda: client.get(f"/api/approval/posts/{post_id}").json()["status"] == "withdrawn"
    )
    kinds = [e["kind"] for e in audited(client, account_id)]
    assert "withdrawn" in kinds and "outcome" in kinds
    assert client.post(route).json()["status"] == "WITHDRAWN", "asked again: the same answer"
    assert publishes_of(stack, photo_urls(client, post_id)) == [], "no init reached TikTok"


async def test_a_file_swapped_behind_an_approved_url_is_refused_before_the_init(
    stack: Stack,
) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    urls = photo_urls(client, post_id)
    # someone with the media folder in hand puts other bytes behind the second slide's URL
    swap_behind(stack.folder / "media" / urls[1].rsplit("/", 1)[1])
    assert client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code == 202
    result = await outcome(stack, post_id)
    assert (
        result["status"] == "FAILED" and "is not the one that was approved" in result["fail_reason"]
    )
    assert urls[1] in result["fail_reason"]
    refused = [e for e in audited(client, account_id) if e["kind"] == "refused"]
    assert refused and urls[1] in refused[0]["detail"]["reason"]
    assert publishes_of(stack, urls) == [], "no init reached TikTok"
