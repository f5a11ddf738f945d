"""The approval gate: TikTok's UX rules re-checked against fresh creator_info, one post at a time,
edits within limits, and every route scoped to its owner."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gatepost_common.topics import POST_APPROVED, POST_GENERATED, TOPIC_CREATED
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


async def queued_post(stack: Stack) -> tuple[httpx.Client, str, str]:
    client, user_id, account_id = signed_up(stack)
    # unique words give unique images, so TikTok-side counts see only this post
    text = f"Window box flowers for beginners {uuid.uuid4().int % 10**8:08d}"
    topic_id, value = topic_created(user_id, account_id, text)
    await produce(stack.kafka_bootstrap, TOPIC_CREATED, value, key=topic_id)
    [event] = await collect(stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id))
    post_id: str = event_of(event)["data"]["post_id"]
    assert eventually(lambda: client.get(f"/api/approval/posts/{post_id}").status_code == 200)
    return client, post_id, account_id


@pytest.fixture
def creator_settings(stack: Stack) -> Iterator[Any]:
    """Change the stand-in creator behind an account (privacy, comments, bans); undone after."""
    base = f"http://127.0.0.1:{stack.ports.tiktok}/_control/creators"
    changed: list[str] = []

    def change(client: httpx.Client, account_id: str, **settings: Any) -> None:
        open_id = client.get(f"/api/auth/accounts/{account_id}").json()["open_id"]
        httpx.patch(f"{base}/{open_id}", json=settings).raise_for_status()
        changed.append(open_id)

    yield change
    for open_id in changed:
        httpx.patch(
            f"{base}/{open_id}",
            json={"private_account": False, "comment_disabled": False, "banned": False},
        )


@pytest.mark.parametrize(
    ("choices", "says"),
    [
        (
            {
                "privacy_level": "SELF_ONLY",
                "disclosure": True,
                "branded_content": True,
                "music_usage_consent": True,
            },
            "cannot be set to private",
        ),
        (
            {
                "privacy_level": "PUBLIC_TO_EVERYONE",
                "disclosure": True,
                "music_usage_consent": True,
            },
            "promotes yourself, a third party, or both",
        ),
    ],
)
async def test_disclosure_rules(stack: Stack, choices: dict[str, Any], says: str) -> None:
    client, post_id, _ = await queued_post(stack)
    answer = client.post(f"/api/approval/posts/{post_id}/approve", json=choices)
    assert answer.status_code == 422 and says in answer.json()["detail"]
    assert client.get(f"/api/approval/posts/{post_id}").json()["status"] == "awaiting_approval"


@pytest.mark.parametrize("missing", ["privacy_level", "music_usage_consent"])
async def test_required_choices_have_no_default(stack: Stack, missing: str) -> None:
    client, post_id, _ = await queued_post(stack)
    choices = {k: v for k, v in APPROVAL.items() if k != missing}
    assert client.post(f"/api/approval/posts/{post_id}/approve", json=choices).status_code == 422


@pytest.mark.parametrize(
    ("creator", "choices", "says"),
    [
        ({"private_account": True}, APPROVAL, "not offered by this account"),
        ({"comment_disabled": True}, APPROVAL, "Comments are turned off"),
        ({"banned": True}, APPROVAL, "cannot post right now"),
    ],
)
async def test_choices_are_rechecked_against_fresh_creator_info(
    stack: Stack,
    creator_settings: Any,
    creator: dict[str, Any],
    choices: dict[str, Any],
    says: str,
) -> None:
    client, post_id, account_id = await queued_post(stack)
    creator_settings(client, account_id, **creator)
    answer = client.post(f"/api/approval/posts/{post_id}/approve", json=choices)
    assert answer.status_code == 422 and says in answer.json()["detail"], answer.text
    emitted = await collect(
        stack.kafka_bootstrap, POST_APPROVED, has("post_id", post_id), timeout=2
    )
    assert emitted == []


async def test_there_is_no_bulk_approval(stack: Stack) -> None:
    client, post_id, _ = await queued_post(stack)
    assert client.post("/api/approval/posts/approve", json={"post_ids": [post_id]}).status_code in (
        404,
        405,
    )
    with_ids = {**APPROVAL, "post_ids": [post_id]}
    assert client.post(f"/api/approval/posts/{post_id}/approve", json=with_ids).status_code == 422
    assert client.post("/api/approval/posts", json=[post_id]).status_code == 405


async def test_edits_stay_within_tiktoks_limits(stack: Stack) -> None:
    client, post_id, _ = await queued_post(stack)
    url = f"/api/approval/posts/{post_id}"
    assert client.patch(url, json={"title": "😀" * 46}).status_code == 422
    assert client.patch(url, json={"hashtags": ["#one", "#two"]}).status_code == 422
    edited = client.patch(url, json={"title": "A better hook", "hashtags": ["#a", "#b", "#c"]})
    assert edited.status_code == 200 and edited.json()["title"] == "A better hook"
    assert client.post(f"{url}/approve", json=APPROVAL).status_code == 202
    [event] = await collect(stack.kafka_bootstrap, POST_APPROVED, has("post_id", post_id))
    approved = event_of(event)["data"]
    assert approved["title"] == "A better hook" and approved["description"].endswith("#a #b #c")
    assert client.patch(url, json={"title": "Too late"}).status_code == 409


async def test_every_route_is_scoped_to_the_owner(stack: Stack) -> None:
    owner, post_id, _ = await queued_post(stack)
    stranger, _, _ = signed_up(stack)
    assert all(p["post_id"] != post_id for p in stranger.get("/api/approval/posts").json())
    for method, path, body in [
        ("GET", f"/api/approval/posts/{post_id}", None),
        ("PATCH", f"/api/approval/posts/{post_id}", {"title": "mine now"}),
        ("POST", f"/api/approval/posts/{post_id}/approve", APPROVAL),
        ("POST", f"/api/approval/posts/{post_id}/reject", None),
    ]:
        answer = stranger.request(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    assert owner.get(f"/api/approval/posts/{post_id}").json()["status"] == "awaiting_approval"
    assert owner.post(f"/api/approval/posts/{post_id}/reject").status_code == 200
    assert owner.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code == 409
