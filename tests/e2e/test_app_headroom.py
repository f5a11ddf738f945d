"""TikTok's app-wide cap through the whole stack and the browser: an unaudited app (the publisher
restarted with TIKTOK_APP_AUDITED=false) posts for five creators in 24 hours; the sixth creator's
approved post waits with the reason and goes out once the first creator's post is a day old (the
stack's clock moved). The posting page says "this app may post for 2 more creators today", and the
Accounts page (the operator's view) says when the app is full."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from pymongo import MongoClient
from pymongo.collection import Collection

from gatepost_devstack.outside import APPROVAL, eventually, kill_and_restart, signed_up
from gatepost_devstack.stack import Stack
from tests.e2e.browser import (
    WIDTHS,
    accessibility_problems,
    browser,
    look_at,
    page,
    shot,
    signed_in_as,
)
from tests.integration.test_publisher import publication
from tests.videos import photo

__all__ = ["browser", "page"]
pytestmark = pytest.mark.moves_clock(hours=150)  # up to 4 days to empty the window, then 1
FULL = "This app may post for no more creators today"
DAY_S = 24 * 3600


def due_jobs(jobs: Collection[dict[str, Any]], now: datetime) -> int:
    """The publisher's jobs that are due and not settled (going out now, or about to)."""
    return jobs.count_documents(
        {"status": {"$in": ["queued", "initiating"]}, "due_at": {"$lte": now}}
    )


def creators_in_window(stack: Stack) -> int:
    with MongoClient(stack.mongodb_url) as mongo:
        window = mongo[f"{stack.database_prefix}_publisher"]["app_creators"].find_one(
            {"_id": "app"}
        )
    since = stack.now() - timedelta(seconds=DAY_S)
    return sum(1 for c in (window or {}).get("creators", []) if c["at"].replace(tzinfo=UTC) > since)


def empty_app_window(stack: Stack) -> None:
    """Days pass until the app's 24 hours hold no creator: earlier tests leave approved posts
    waiting (behind a daily cap, for a retry), which go out when the clock moves a day, and
    their creators then take places in the new day's window."""
    with MongoClient(stack.mongodb_url) as mongo:
        jobs = mongo[f"{stack.database_prefix}_publisher"]["jobs"]
        for _ in range(4):
            stack.advance_clock(DAY_S + 3600)
            # best effort: a job that keeps falling due (retries) must not hold the test
            eventually(lambda: due_jobs(jobs, stack.now()) == 0, timeout=240)
            if creators_in_window(stack) == 0:
                return
    raise AssertionError(f"the app still counts {creators_in_window(stack)} creators")


@pytest.fixture
def unaudited_app(stack: Stack) -> Iterator[None]:
    """The publisher counts as an app TikTok has not audited, its 24 hours empty (days moved);
    then as before."""
    stack.extra_env["TIKTOK_APP_AUDITED"] = "false"
    kill_and_restart(stack, "publisher")
    try:
        empty_app_window(stack)
        yield
    finally:
        del stack.extra_env["TIKTOK_APP_AUDITED"]
        kill_and_restart(stack, "publisher")


def queued_posts(stack: Stack, count: int) -> list[tuple[httpx.Client, str]]:
    """`count` people, each with a TikTok creator of their own and a photo post of their own
    awaiting approval (uploaded: the cap does not care how a post was made)."""
    posts = []
    for n in range(count):
        client, _, account_id = signed_up(stack)
        uploaded = client.post(
            "/api/approval/uploads",
            data={"account_id": account_id, "title": f"Balcony herbs {n}", "caption": "basil"},
            files=[("files", (f"{n}.jpg", photo(n + 70, side=1080), "image/jpeg"))],
        )
        assert uploaded.status_code == 201, uploaded.text
        posts.append((client, uploaded.json()["post_id"]))
    return posts


def status(client: httpx.Client, post_id: str) -> str:
    found: str = client.get(f"/api/approval/posts/{post_id}").json()["status"]
    return found


def approve_and_publish(client: httpx.Client, post_id: str) -> None:
    answer = client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
    assert answer.status_code == 202, answer.text
    # the first after the publisher's restart waits for its consumer to rejoin the group, and
    # every post the earlier tests left waiting falls due with the day the clock moved
    assert eventually(lambda: status(client, post_id) == "published", timeout=300), (
        client.get(f"/api/approval/posts/{post_id}").json(),
        publication(client, post_id),
    )


def opened_as(page: Page, stack: Stack, client: httpx.Client, where: str) -> None:
    """The UI loaded afresh as `client`'s person (a dialog of the last person's closes)."""
    signed_in_as(page, client, stack)
    page.goto("about:blank")
    page.goto(f"{stack.gateway_url}/#{where}")


def open_posting_page(page: Page, stack: Stack, client: httpx.Client) -> None:
    opened_as(page, stack, client, "queue")
    page.locator("article.post").get_by_role("button", name="Approve and publish").click()
    expect(page.locator("#posting-as strong")).to_be_visible()


def look_at_the_note(page: Page, name: str) -> list[str]:
    """The posting page scrolled to its budget note, at desktop and phone width: a screenshot
    of each, and what axe-core finds serious or critical."""
    problems = []
    for width, (x, y) in WIDTHS.items():
        page.set_viewport_size({"width": x, "height": y})
        page.locator("#budget-note").scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # the layout settles
        shot(page, f"{name}-{width}")
        problems += [f"{width}: {problem}" for problem in accessibility_problems(page)]
    return problems


@pytest.mark.timeout(2700)  # last in the suite, after days' moves: waits, never a measure
def test_the_sixth_creator_of_an_unaudited_app_waits_and_goes_out_when_the_window_allows(
    stack: Stack, page: Page, unaudited_app: None
) -> None:
    posts = queued_posts(stack, 7)
    for client, post_id in posts[:3]:
        approve_and_publish(client, post_id)
    # the fourth creator's posting page, before approving: two places left
    open_posting_page(page, stack, posts[3][0])
    note = page.get_by_role("dialog").locator("#budget-note")
    expect(note).to_contain_text("This app may post for 2 more creators today", timeout=30_000)
    expect(note).to_contain_text("TikTok lets an unaudited app post for 5 creators within 24 hours")
    problems = look_at_the_note(page, "headroom-posting-page-two-left")
    for client, post_id in posts[3:5]:
        approve_and_publish(client, post_id)

    client, sixth = posts[5]
    assert client.post(f"/api/approval/posts/{sixth}/approve", json=APPROVAL).status_code == 202
    reason = eventually(lambda: publication(client, sixth).get("deferred_reason"), timeout=60)
    assert reason and "this app may post for no more creators today" in reason, reason
    assert publication(client, sixth)["status"] == "queued"
    shown = eventually(lambda: client.get(f"/api/approval/posts/{sixth}").json().get("progress"))
    assert shown and shown["state"] == "waiting" and shown["reason"] == reason, shown
    headroom = client.get("/api/publisher/app/headroom").json()
    assert (headroom["creators_24h"], headroom["creators_left"]) == (5, 0), headroom

    # the operator's view and the seventh creator's posting page say so
    seventh = posts[6][0]
    opened_as(page, stack, seventh, "accounts")
    expect(page.locator(".app-headroom")).to_contain_text(FULL, timeout=30_000)
    expect(page.locator(".app-headroom")).to_contain_text("A new creator's post waits until")
    problems += look_at(page, "headroom-accounts-full")
    open_posting_page(page, stack, seventh)
    expect(note).to_contain_text(FULL, timeout=30_000)
    expect(note).to_contain_text("This post will wait until")
    problems += look_at_the_note(page, "headroom-posting-page-full")
    assert problems == []

    # a day after the first creator's post, their place frees and the sixth goes out (the
    # person's session, 12 hours of the stack's clock, has ended by then: they sign in again)
    email = client.get("/api/auth/me").json()["email"]
    stack.advance_clock(DAY_S)
    again = client.post("/api/auth/signin", json={"email": email, "password": "correct horse"})
    assert again.status_code == 200, again.text
    assert eventually(lambda: status(client, sixth) == "published", timeout=300), status(
        client, sixth
    )
