"""The queue through the gateway, filtered: by account, by status, by words in the title or
caption (any case), a page at a time; only the person's own posts, whatever the filter."""

from __future__ import annotations

import uuid

import httpx

from gatepost_devstack.outside import signed_up_creator
from gatepost_devstack.stack import Stack
from tests.videos import photo


def second_account(stack: Stack, client: httpx.Client) -> str:
    """Connect another TikTok creator to the signed-in person; its account id."""
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    creator = httpx.post(
        f"{control}/creators",
        json={"username": f"creator.{uuid.uuid4().hex[:8]}", "nickname": "Second Creator"},
    ).json()
    httpx.post(f"{control}/consent-as/{creator['open_id']}").raise_for_status()
    before = {a["account_id"] for a in client.get("/api/auth/accounts").json()}
    assert client.get("/api/auth/tiktok/connect").status_code == 200
    [added] = {a["account_id"] for a in client.get("/api/auth/accounts").json()} - before
    return added


def queue(client: httpx.Client, **filters: str) -> list[str]:
    answer = client.get("/api/approval/posts", params=filters)
    assert answer.status_code == 200, answer.text
    return [p["title"] for p in answer.json()]


def test_the_queue_is_filtered_by_account_status_and_words(stack: Stack) -> None:
    client, _, first, _ = signed_up_creator(stack)
    second = second_account(stack, client)
    posts = {}
    for n, (account, title, caption) in enumerate(
        [
            (first, "Balcony herbs", "basil and mint"),
            (first, "Desk yoga", "five minutes, no mat"),
            (second, "Winter BALCONY lights", ""),
        ]
    ):
        uploaded = client.post(
            "/api/approval/uploads",
            data={"account_id": account, "title": title, "caption": caption},
            files=[("files", (f"{n}.jpg", photo(n + 40), "image/jpeg"))],
        )
        assert uploaded.status_code == 201, uploaded.text
        posts[title] = uploaded.json()["post_id"]
    assert queue(client) == ["Winter BALCONY lights", "Desk yoga", "Balcony herbs"]  # newest first
    assert queue(client, account_id=first) == ["Desk yoga", "Balcony herbs"]
    assert queue(client, q="balcony") == ["Winter BALCONY lights", "Balcony herbs"]
    assert queue(client, q="MINT") == ["Balcony herbs"]  # the caption too
    assert queue(client, q="balcony", account_id=second) == ["Winter BALCONY lights"]
    assert queue(client, q="a.c") == []  # words, not patterns
    client.post(f"/api/approval/posts/{posts['Desk yoga']}/reject").raise_for_status()
    assert queue(client, status="rejected") == ["Desk yoga"]
    assert queue(client, status="awaiting_approval", account_id=first) == ["Balcony herbs"]
    assert queue(client, limit="1", offset="1") == ["Desk yoga"]
    assert client.get("/api/approval/posts", params={"status": "lost"}).status_code == 422
    other, _, _, _ = signed_up_creator(stack)
    assert queue(other, account_id=first) == []  # someone else's account shows nothing
