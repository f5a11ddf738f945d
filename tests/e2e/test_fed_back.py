"""What worked, fed back, through the whole stack: a creator's two question-hook posts go live at
the TikTok stand-in and are read by the publisher; until the person switches it on nothing is fed
back; once on, the next topic's prompt at the OpenAI stand-in carries the earlier titles, its post
records them, and the queue card and the library row say how the earlier similar posts did, in
Chromium at desktop and phone width, axe clean. Screenshots go to docs/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from gatepost_devstack.outside import APPROVAL, eventually, signed_up_creator
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, signed_in_as
from tests.e2e.test_insight_pages import generated, insight_posts, look_at

# the posts go live and are read an hour on, on the stack's clock: after every other test
pytestmark = pytest.mark.moves_clock(hours=2)

__all__ = ["browser"]
QUESTIONS = ["Why do basil leaves droop?", "Can mint grow in the shade?"]
NEW = "Do tomatoes need full sun?"


@dataclass
class World:
    client: httpx.Client
    account_id: str
    earlier: dict[str, dict[str, Any]]  # post id → its insight (title, views, link)
    topic_id: str
    post_id: str
    prompt: str  # what the OpenAI stand-in was asked for the new topic's text


def similar(client: httpx.Client, post: dict[str, Any]) -> dict[str, Any]:
    ask = {k: post[k] for k in ("account_id", "language", "title")}
    answer = client.post("/api/publisher/insights/similar", json={"items": [ask | {"key": "k"}]})
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()["summaries"][0]
    return found


def prompts_about(stack: Stack, topic: str) -> list[str]:
    calls = httpx.get(f"http://127.0.0.1:{stack.ports.openai}/_control/calls").json()
    return [c["prompt"] for c in calls if c["kind"] == "chat" and f"Topic: {topic}" in c["prompt"]]


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[World]:
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    before = httpx.get(f"{control}/display").json()
    httpx.put(f"{control}/display", json={"photo_posts_in_query": True}).raise_for_status()
    client, _, account_id, _ = signed_up_creator(stack)
    assert client.get(f"/api/auth/accounts/{account_id}").json()["learn_from_posts"] is False
    posts = []
    for text in QUESTIONS:
        topic = client.post("/api/generator/topics", json={"text": text, "account_id": account_id})
        posts.append(generated(client, topic.json()["topic_id"]))
    assert eventually(
        lambda: all(client.get(f"/api/approval/posts/{p}").status_code == 200 for p in posts)
    )
    for post_id in posts:
        approved = client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
        assert approved.status_code == 202, approved.text

    def status(post_id: str) -> str:
        return str(client.get(f"/api/approval/posts/{post_id}").json()["status"])

    assert eventually(lambda: all(status(p) == "published" for p in posts), timeout=90)
    stack.advance_clock(120)  # TikTok's moderation lets them out
    assert eventually(
        lambda: sum(bool(p["public_id"]) for p in insight_posts(client)) == 2, timeout=90
    ), insight_posts(client)
    stack.advance_clock(3700)  # the first reading, an hour after going public
    assert eventually(
        lambda: sum(p["views"] is not None for p in insight_posts(client)) == 2, timeout=90
    ), insight_posts(client)
    earlier = {p["post_id"]: p for p in insight_posts(client)}
    queued = client.get(f"/api/approval/posts/{posts[0]}").json()
    # off by default: nothing is fed back, and the earlier posts were written without examples
    assert similar(client, queued)["state"] == "not_opted_in"
    assert all("did best" not in p for t in QUESTIONS for p in prompts_about(stack, t))
    switched = client.put(
        f"/api/auth/accounts/{account_id}/learning", json={"learn_from_posts": True}
    )
    assert switched.status_code == 200 and switched.json()["learn_from_posts"] is True
    topic_id = client.post(
        "/api/generator/topics", json={"text": NEW, "account_id": account_id}
    ).json()["topic_id"]
    post_id = generated(client, topic_id)
    assert eventually(lambda: client.get(f"/api/approval/posts/{post_id}").status_code == 200)
    [prompt] = prompts_about(stack, NEW)
    yield World(client, account_id, earlier, topic_id, post_id, prompt)
    httpx.put(f"{control}/display", json=before).raise_for_status()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    yield context.new_page()
    context.close()


def test_the_best_titles_reach_the_prompt_and_the_posts_provenance(world: World) -> None:
    for post in world.earlier.values():
        assert post["title"] in world.prompt
    post = world.client.get(f"/api/approval/posts/{world.post_id}").json()
    used = {e["post_id"]: e["views"] for e in post["style_examples"]}
    assert used == {p: e["views"] for p, e in world.earlier.items()}


def test_the_queue_card_and_the_library_row_say_how_similar_posts_did(
    stack: Stack, page: Page, world: World
) -> None:
    post = world.client.get(f"/api/approval/posts/{world.post_id}").json()
    found = similar(world.client, post)
    assert found["state"] == "shown" and found["hook"] == "question", found
    assert found["count"] == 2
    best = max(world.earlier.values(), key=lambda p: p["views"])
    assert found["best"]["post_id"] == best["post_id"] and found["best"]["link"] == best["link"]
    signed_in_as(page, world.client, stack)
    page.goto(f"{stack.gateway_url}/#queue?post={world.post_id}")
    card = page.locator(f'article[data-post="{world.post_id}"]')
    said = card.locator('.fed-back[data-state="shown"]')
    expect(said).to_contain_text("2 earlier English question-hook posts")
    expect(said).to_contain_text(f"({best['views']:,} views)")
    expect(said.get_by_role("link")).to_have_attribute("href", best["link"])
    expect(card).to_contain_text("best titles as style examples")
    assert look_at(page, "queue-fed-back") == []
    page.goto(f"{stack.gateway_url}/#library")
    row = page.locator(f'tr[data-topic="{world.topic_id}"]')
    expect(row.locator('.fed-back[data-state="shown"]')).to_contain_text(
        "2 earlier English question-hook posts"
    )
    assert look_at(page, "library-fed-back") == []
    page.goto(f"{stack.gateway_url}/#accounts")
    expect(page.get_by_label("What worked, fed back")).to_be_checked()
    assert look_at(page, "accounts-fed-back") == []
    page.get_by_label("What worked, fed back").uncheck()
    expect(page.get_by_label("What worked, fed back")).not_to_be_checked()
    assert similar(world.client, post)["state"] == "not_opted_in"
    page.goto(f"{stack.gateway_url}/#queue?post={world.post_id}")
    expect(card.locator('.fed-back[data-state="not_opted_in"]')).to_contain_text(
        "Not switched on for this account"
    )
