"""The reviewer's workspace in real Chromium: every page read at desktop and phone width with no
serious accessibility problem (axe-core), each post's timeline, each account's health, topics
linked to their posts, and lists updated in place (no full re-render)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from gatepost_devstack.outside import eventually, signed_up
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, look_at, page, signed_in_as
from tests.e2e.test_web_ui import queued

__all__ = ["browser", "page"]


# each page of the workspace, and what shows once it has loaded
PAGES = {
    "library": "table.topics tbody tr",
    "queue": "article.post",
    "accounts": ".account .health",
    "publications": "h1",
}


def each_page(page: Page, stack: Stack) -> Iterator[str]:
    for name, ready in PAGES.items():
        page.goto(f"{stack.gateway_url}/#{name}")
        page.wait_for_selector(ready)
        yield name


def approve(client: httpx.Client, post_id: str) -> None:
    approved = client.post(
        f"/api/approval/posts/{post_id}/approve",
        json={"privacy_level": "SELF_ONLY", "music_usage_consent": True, "revision": 0},
    )
    assert approved.status_code == 202, approved.text


def published(client: httpx.Client, post_id: str) -> None:
    approve(client, post_id)
    assert eventually(
        lambda: client.get(f"/api/approval/posts/{post_id}").json()["status"] == "published",
        timeout=90,
    )


def test_every_page_reads_at_both_widths_without_serious_accessibility_problems(
    stack: Stack, page: Page
) -> None:
    client, post_id = queued(stack, "Des herbes aromatiques sur un balcon ensoleillé")
    second = client.post(
        "/api/generator/topics",
        json={
            "text": "A second carousel about tomatoes on a sunny balcony",
            "account_id": client.get(f"/api/approval/posts/{post_id}").json()["account_id"],
        },
    )
    assert second.status_code == 201
    page.goto(stack.gateway_url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    problems = look_at(page, "workspace-signin")
    signed_in_as(page, client, stack)
    for name in each_page(page, stack):
        problems += look_at(page, f"workspace-{name}")
    page.goto(f"{stack.gateway_url}/#queue")
    cards = page.locator("article.post")
    expect(cards).to_have_count(2, timeout=60_000)  # the second carousel, generated meanwhile
    page.get_by_label("Language").select_option("fr")  # the queue by language
    expect(cards).to_have_count(1)
    expect(cards).to_have_attribute("data-post", post_id)
    cards.get_by_role("button", name="Approve and publish").click()
    expect(page.locator("#posting-as strong")).to_be_visible()
    problems += look_at(page, "workspace-posting-page")
    assert problems == []


def test_a_posts_timeline_goes_from_approval_to_published(stack: Stack, page: Page) -> None:
    client, post_id = queued(stack, "A timeline")
    published(client, post_id)
    history = client.get(f"/api/approval/posts/{post_id}").json()["history"]
    states = [moment["state"] for moment in history]
    assert states[0] == "approved" and "published" in states, states
    # TikTok may give the public link after PUBLISH_COMPLETE (its moderation): then the
    # publisher's "live" with the link is the one word that may follow the outcome
    assert set(states[states.index("published") + 1 :]) <= {"live"}, states
    assert "processing" in states  # the publisher's word: sent, TikTok is processing it
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#publications")
    row = page.locator(f'tr[data-post="{post_id}"]')
    row.get_by_role("button", name="Timeline").click()
    title = client.get(f"/api/approval/posts/{post_id}").json()["title"]
    timeline = page.get_by_role("list", name=f"Timeline of {title}")
    expect(timeline.locator("li").first).to_contain_text("Approved")
    expect(timeline.locator("li").filter(has_text="Published")).to_have_count(1)
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
    for name in each_page(page, stack):
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


def test_a_waiting_post_says_why_and_until_when(stack: Stack, page: Page) -> None:
    client, post_id = queued(stack, "Waiting for TikTok")
    faults = f"http://127.0.0.1:{stack.ports.tiktok}/_control/faults"
    init = "/v2/post/publish/content/init/"
    fault = {"next_errors": 1, "error_status": 403, "error_code": "spam_risk_too_many_posts"}
    httpx.put(faults, json={init: fault}).raise_for_status()
    try:
        approve(client, post_id)
        assert eventually(
            lambda: (
                (client.get(f"/api/approval/posts/{post_id}").json().get("progress") or {}).get(
                    "state"
                )
                == "waiting"
            ),
            timeout=60,
        )
    finally:
        httpx.put(faults, json={}).raise_for_status()
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#queue?post={post_id}")
    status = page.locator(f'article[data-post="{post_id}"] .post-status')
    expect(status).to_contain_text("Waiting")
    expect(status).to_contain_text("daily post limit")
    expect(status).to_contain_text("next try")
    page.goto(f"{stack.gateway_url}/#publications")
    row = page.locator(f'tr[data-post="{post_id}"]')
    expect(row).to_contain_text("daily post limit")
    row.get_by_role("button", name="Timeline").click()
    expect(page.locator(".timeline .moment-waiting")).to_contain_text("daily post limit")
    look_at(page, "workspace-waiting")


# 1,400 illustrations and slides: media sets words one slide at a time (FreeType faces are not
# thread-safe), about 280 slides a minute on two cores, so the import takes 5-6 minutes here; the
# provider's own limit in production (120 images a minute) stays below that
@pytest.mark.timeout(720)
def test_a_bulk_import_of_200_topics_shows_progress_and_every_post_is_reachable(
    stack: Stack, page: Page
) -> None:
    client, _, _ = signed_up(stack)  # the import's rows go to the account by default
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#library")
    rows = "".join(f"Balcony plant {i:03d}\n" for i in range(200)) + "x" * 2001 + "\n"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "t.csv", "mimeType": "text/csv", "buffer": f"text\n{rows}".encode()}]
    )
    page.get_by_role("button", name="Import").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("200 accepted, 1 rejected")
    refused = report.locator("> table tr")  # the refused row first, outside "Every row"
    expect(refused).to_have_count(2)
    expect(refused.nth(1)).to_contain_text("Rejected: text")
    expect(report.locator("details")).not_to_have_attribute("open", "")
    progress = page.locator("#import-progress progress")
    expect(progress).to_have_attribute("max", "200")
    expect(page.locator("#import-progress")).to_contain_text("of 200 generated")
    look_at(page, "workspace-bulk-import")
    expect(page.locator("#import-progress")).to_contain_text(
        "200 of 200 generated", timeout=600_000
    )
    expect(progress).to_have_attribute("value", "200")
    assert eventually(
        lambda: len(client.get("/api/approval/posts?limit=100&offset=100").json()) == 100,
        timeout=60,
    )
    page.goto(f"{stack.gateway_url}/#queue")
    cards = page.locator("article.post")
    pages = page.get_by_role("navigation", name="Queue pages")
    seen: set[str] = set()
    for number in range(20):
        expect(pages.get_by_role("status")).to_have_text(
            f"posts {10 * number + 1}–{10 * (number + 1)}"
        )
        seen |= {cards.nth(i).get_attribute("data-post") or "" for i in range(10)}
        if number < 19:
            pages.get_by_role("button", name="Older").click()
    expect(pages.get_by_role("button", name="Older")).to_be_disabled()
    assert len(seen) == 200  # every post reachable page by page
    page.get_by_label("Search").fill("Balcony plant 137")  # and by words in its title
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("Balcony plant 137")


def test_an_older_answer_never_draws_over_the_page_asked_for(stack: Stack, page: Page) -> None:
    client, post_id = queued(stack, "Answers out of order")
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#queue")
    expect(page.locator(f'article[data-post="{post_id}"]')).to_be_visible()
    held: list[Route] = []

    def hold_the_unfiltered(route: Route) -> None:
        if "status=" in route.request.url:
            route.continue_()
        else:
            held.append(route)  # the queue's own refresh, answered late

    page.route("**/api/approval/posts?*", hold_the_unfiltered)
    page.wait_for_timeout(2_500)  # a refresh of the whole queue is on its way
    assert held
    page.get_by_label("Status").select_option("rejected")
    empty = page.get_by_text("No post matches these filters.")
    expect(empty).to_be_visible()
    with page.expect_response(lambda answer: answer.request in [r.request for r in held]):
        for route in held:
            route.continue_()  # the older answer arrives after the newer one
    page.wait_for_timeout(200)  # it is read and handled (a redraw would come now)
    assert page.locator("article.post").count() == 0  # looked at once: no waiting for a redraw
    assert empty.is_visible()
