"""The reviewer's workspace in real Chromium: every page read at desktop and phone width with no
serious accessibility problem (axe-core), each post's timeline, each account's health, topics
linked to their posts, and lists updated in place (no full re-render)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, Page, expect

from gatepost_devstack.outside import eventually
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, look_at, page, signed_in_as
from tests.e2e.test_web_ui import queued

__all__ = ["browser", "page"]


def published(client: httpx.Client, post_id: str) -> None:
    approved = client.post(
        f"/api/approval/posts/{post_id}/approve",
        json={"privacy_level": "SELF_ONLY", "music_usage_consent": True, "revision": 0},
    )
    assert approved.status_code == 202, approved.text
    assert eventually(
        lambda: client.get(f"/api/approval/posts/{post_id}").json()["status"] == "published",
        timeout=90,
    )


def test_every_page_reads_at_both_widths_without_serious_accessibility_problems(
    stack: Stack, page: Page
) -> None:
    client, post_id = queued(stack, "Accessible pages")
    second = client.post(
        "/api/generator/topics",
        json={
            "text": "A second carousel",
            "account_id": client.get(f"/api/approval/posts/{post_id}").json()["account_id"],
        },
    )
    assert second.status_code == 201
    page.goto(stack.gateway_url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    problems = look_at(page, "workspace-signin")
    signed_in_as(page, client, stack)
    for name, ready in [
        ("library", "table.topics tbody tr"),
        ("queue", "article.post"),
        ("accounts", ".account .health"),
        ("publications", "h1"),
    ]:
        page.goto(f"{stack.gateway_url}/#{name}")
        page.wait_for_selector(ready)
        problems += look_at(page, f"workspace-{name}")
    page.goto(f"{stack.gateway_url}/#queue")
    page.locator(f'article[data-post="{post_id}"]').get_by_role(
        "button", name="Approve and publish"
    ).click()
    expect(page.locator("#posting-as strong")).to_be_visible()
    problems += look_at(page, "workspace-posting-page")
    assert problems == []


def test_a_posts_timeline_goes_from_approval_to_published(stack: Stack, page: Page) -> None:
    client, post_id = queued(stack, "A timeline")
    published(client, post_id)
    history = client.get(f"/api/approval/posts/{post_id}").json()["history"]
    states = [moment["state"] for moment in history]
    assert states[0] == "approved" and states[-1] == "published", states
    assert "processing" in states  # the publisher's word: sent, TikTok is processing it
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#publications")
    row = page.locator(f'tr[data-post="{post_id}"]')
    row.get_by_role("button", name="Timeline").click()
    title = client.get(f"/api/approval/posts/{post_id}").json()["title"]
    timeline = page.get_by_role("list", name=f"Timeline of {title}")
    expect(timeline.locator("li").first).to_contain_text("Approved")
    expect(timeline.locator("li").last).to_contain_text("Published")
    expect(timeline).to_contain_text("Sent: TikTok is processing it")
    look_at(page, "workspace-timeline")


def test_the_library_links_a_topic_to_its_post_and_accounts_show_their_health(
    stack: Stack, page: Page
) -> None:
    client, post_id = queued(stack, "Linked topic")
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#library")
    page.get_by_role("link", name="Open its post").first.click()
    expect(page.locator("article.post")).to_have_count(1)
    expect(page.locator("article.post")).to_have_attribute("data-post", post_id)
    page.goto(f"{stack.gateway_url}/#accounts")
    health = page.locator(".account .health")
    expect(health).to_contain_text("access renewed")
    expect(health).to_contain_text("next renewal before")


def test_a_refresh_changes_only_what_changed(stack: Stack, page: Page) -> None:
    client, post_id = queued(stack, "Kept in place")
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#queue")
    card = page.locator(f'article[data-post="{post_id}"]')
    expect(card).to_be_visible()
    card.evaluate("(node) => { node.dataset.seen = 'before refreshes'; }")
    page.wait_for_timeout(4_500)  # two refreshes of the queue (every 2 s)
    expect(card).to_have_attribute("data-seen", "before refreshes")  # the same element
    client.post(f"/api/approval/posts/{post_id}/reject")
    expect(card.locator(".post-status")).to_contain_text("Rejected", timeout=10_000)
    expect(card).not_to_have_attribute("data-seen", "before refreshes")  # this one was redrawn


def test_no_page_is_wider_than_a_phone(stack: Stack, page: Page) -> None:
    client, _ = queued(stack, "Narrow pages")
    signed_in_as(page, client, stack)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, ready in [
        ("library", "table.topics tbody tr"),
        ("queue", "article.post"),
        ("accounts", ".account .health"),
        ("publications", "h1"),
    ]:
        page.goto(f"{stack.gateway_url}/#{name}")
        page.wait_for_selector(ready)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{name} is {width} px wide"


def test_a_post_is_edited_previewed_and_scheduled_in_the_persons_time_zone(
    stack: Stack, browser: Browser
) -> None:
    client, post_id = queued(stack, "Scheduled in Tokyo")
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    page = context.new_page()
    try:
        signed_in_as(page, client, stack)
        page.goto(f"{stack.gateway_url}/#queue?post={post_id}")
        card = page.locator(f'article[data-post="{post_id}"]')
        card.get_by_role("button", name="Next slide").click()
        expect(card.locator(".counter")).to_have_text("2 / 7")
        card.get_by_role("button", name="Approve and publish").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.locator(".approve-preview .counter")).to_have_text("2 / 7")  # the preview
        expect(dialog.locator("#time-zone")).to_contain_text("Asia/Tokyo")
        dialog.get_by_label("Caption", exact=True).fill("Words the person chose for the caption")
        tokyo = datetime.now(ZoneInfo("Asia/Tokyo")).replace(second=0, microsecond=0)
        later = tokyo + timedelta(hours=3)
        dialog.get_by_label("Publish after (optional)").fill(later.strftime("%Y-%m-%dT%H:%M"))
        dialog.get_by_label("Who can view this post").select_option("SELF_ONLY")
        dialog.get_by_role("button", name="Approve and publish").click()
        expect(dialog).to_be_hidden()
        post = client.get(f"/api/approval/posts/{post_id}").json()
        assert post["caption"] == "Words the person chose for the caption"
        stored = datetime.fromisoformat(post["publish_after"]).replace(tzinfo=UTC)
        assert stored == later.astimezone(UTC)  # the person's local time, kept in UTC
        expect(card.locator(".post-status")).to_contain_text("Scheduled")
        expect(card.locator(".post-status")).to_contain_text(later.strftime("%H:%M"))
    finally:
        context.close()
