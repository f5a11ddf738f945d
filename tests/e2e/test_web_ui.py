"""The web UI in real Chromium, through the gateway: sign up, connect TikTok, add a topic, see it
in the queue under the amber banner, approve it through the dialog's UX rules, see it published."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from gatepost_devstack.outside import eventually, signed_up
from gatepost_devstack.stack import Stack
from gatepost_devstack.walkthrough import sign_up_by_mail
from tests.e2e.browser import browser, page, shot, signed_in_as
from tests.integration.test_generation import wait_topic

__all__ = ["browser", "page"]
PUBLISH_TIMEOUT_MS = 60_000


def test_sign_up_connect_generate_approve_and_publish(stack: Stack, page: Page) -> None:
    email = f"ui-{uuid.uuid4().hex[:8]}@example.com"
    sign_up_by_mail(page, stack.gateway_url, email, "correct horse")

    page.get_by_role("link", name="Connect a TikTok account").click()
    expect(page.get_by_text("Local Creator")).to_be_visible()
    shot(page, "ui-1-accounts")

    page.get_by_role("link", name="Library").click()
    topic = f"Balcony tomatoes for beginners {uuid.uuid4().hex[:4]}"
    page.get_by_label("Topic").fill(topic)
    page.get_by_role("button", name="Add topic").click()
    row = page.locator("tr", has_text=topic)
    expect(row.get_by_text("generated")).to_be_visible(timeout=PUBLISH_TIMEOUT_MS)
    expect(row.locator("td.cost")).to_contain_text("7 images")
    rows = "".join(f"Window herbs, part {i} {uuid.uuid4().hex[:4]}\n" for i in range(3))
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "t.csv", "mimeType": "text/csv", "buffer": f"text\n{rows}".encode()}]
    )
    page.get_by_role("button", name="Import").click()
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("of 3 generated")
    expect(progress).to_contain_text("3 of 3 generated", timeout=PUBLISH_TIMEOUT_MS)
    shot(page, "ui-2-library")

    page.get_by_role("link", name="Queue").click()
    card = page.locator("article.post").filter(has=page.get_by_text("Awaiting approval")).first
    expect(card.locator(".banner")).to_have_text("Awaiting approval")
    expect(card.locator(".phone .screen img")).to_have_count(1)  # one slide at a time, as TikTok
    expect(card.locator(".phone .counter")).to_have_text("1 / 7")
    assert page.get_by_role("button", name="Select all").count() == 0
    shot(page, "ui-3-queue")

    card.get_by_role("button", name="Approve and publish").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Posting as")).to_contain_text("Local Creator")
    expect(dialog.locator(".approve-preview .screen img")).to_be_visible()  # what is posted
    post_id = card.get_attribute("data-post")
    title = dialog.get_by_label("Title")
    expect(title).not_to_be_empty()
    title.fill("A title the person wrote")  # preset text is editable (guideline 5b)
    expect(dialog.locator("#sandbox-note")).to_be_hidden()  # an audited app
    submit = dialog.get_by_role("button", name="Approve and publish")
    expect(submit).to_be_disabled()  # no privacy chosen: there is no default
    assert dialog.get_by_label("Comment").is_checked() is False
    dialog.get_by_label("Who can view this post").select_option("PUBLIC_TO_EVERYONE")
    expect(submit).to_be_enabled()
    dialog.get_by_label("Indicate whether this content promotes yourself").check()
    expect(submit).to_be_disabled()  # disclosure on, nothing chosen
    assert "third party, or both" in (dialog.locator("#publish-wrap").get_attribute("title") or "")
    dialog.get_by_label("Branded content").check()
    expect(dialog.get_by_text("labeled as 'Paid partnership'")).to_be_visible()
    expect(dialog.get_by_text("Branded Content Policy")).to_be_visible()
    only_me = dialog.locator("option[value=SELF_ONLY]")
    assert only_me.is_disabled()  # branded content cannot be private
    expect(dialog.get_by_text("It may take a few minutes")).to_be_visible()
    shot(page, "ui-4-approve-dialog")
    submit.click()
    expect(dialog).to_be_hidden()
    approved = page.request.get(f"{stack.gateway_url}/api/approval/posts/{post_id}").json()
    assert approved["title"] == "A title the person wrote" and approved["status"] != (
        "awaiting_approval"
    )

    page.get_by_role("link", name="Publications").click()
    expect(page.locator("table.publications").get_by_text("Published").first).to_be_visible(
        timeout=PUBLISH_TIMEOUT_MS
    )
    shot(page, "ui-5-publications")
    page.get_by_role("button", name="Audit log").first.click()
    expect(page.get_by_role("cell", name="outcome")).to_be_visible()


def queued(stack: Stack, text: str) -> tuple[httpx.Client, str]:
    """A person's post, generated from a topic added through the API, awaiting approval."""
    client, _, account_id = signed_up(stack)
    topic_id = client.post(
        "/api/generator/topics", json={"text": text, "account_id": account_id}
    ).json()["topic_id"]
    post_id: str = wait_topic(client, topic_id, {"generated"})["post_id"]
    assert eventually(lambda: client.get(f"/api/approval/posts/{post_id}").status_code == 200)
    return client, post_id


def test_a_slide_is_edited_in_the_queue_and_previewed_as_on_a_phone(
    stack: Stack, page: Page
) -> None:
    client, post_id = queued(stack, "Edit in the queue")
    signed_in_as(page, client, stack)
    page.goto(stack.gateway_url)
    page.get_by_role("link", name="Queue").click()
    card = page.locator(f'article[data-post="{post_id}"]')
    expect(card.locator(".cover-badge")).to_have_text("Cover")
    card.get_by_role("button", name="Next slide").click()
    card.get_by_role("button", name="Next slide").click()
    expect(card.locator(".counter")).to_have_text("3 / 7")
    before = card.locator(".screen img").get_attribute("src")
    card.get_by_label("Words on this slide").fill("Three words, edited by a person")
    card.get_by_role("button", name="Save words").click()
    expect(card.locator(".screen img")).not_to_have_attribute("src", before or "")
    expect(card.locator(".counter")).to_have_text("3 / 7")
    saved = client.get(f"/api/approval/posts/{post_id}").json()["slides"][2]
    assert saved["text"] == "Three words, edited by a person"
    assert card.locator(".screen img").get_attribute("src") == saved["image_url"]
    card.scroll_into_view_if_needed()
    shot(page, "ui-6-slide-editor")


def test_an_unaudited_app_offers_only_private_posts_and_says_why(stack: Stack, page: Page) -> None:
    client, post_id = queued(stack, "Sandbox posting")
    app = f"http://127.0.0.1:{stack.ports.tiktok}/_control/apps/gatepost-local"
    httpx.patch(app, json={"audited": False}).raise_for_status()
    try:
        signed_in_as(page, client, stack)
        page.goto(stack.gateway_url)
        page.get_by_role("link", name="Queue").click()
        card = page.locator(f'article[data-post="{post_id}"]')
        card.get_by_role("button", name="Approve and publish").click()
        dialog = page.get_by_role("dialog")
        note = dialog.locator("#sandbox-note")
        expect(note).to_be_visible()
        expect(note).to_contain_text("TikTok has not audited this Gatepost app yet")
        options = dialog.locator("#privacy option:not([disabled])")
        expect(options).to_have_count(1)
        expect(options).to_have_text("Only me")
        shot(page, "ui-7-unaudited-app")
    finally:
        httpx.patch(app, json={"audited": True}).raise_for_status()


@pytest.mark.timeout(600)  # 30 carousels generated first: minutes on a busy two-core machine
def test_every_topic_and_post_stays_reachable_page_by_page(stack: Stack, page: Page) -> None:
    client, _, account_id = signed_up(stack)
    rows = [{"text": f"Paging topic {i}", "account_id": account_id} for i in range(30)]
    report = client.post("/api/generator/topics/bulk", json={"topics": rows}).json()
    progress = f"/api/generator/imports/{report['import_id']}"
    assert eventually(lambda: client.get(progress).json()["finished"] == 30, timeout=360)
    assert eventually(lambda: len(client.get("/api/approval/posts?limit=100").json()) == 30)
    signed_in_as(page, client, stack)
    page.goto(stack.gateway_url)
    page.get_by_role("link", name="Library").click()
    topics = page.locator("table.topics tr[data-topic]")
    expect(topics).to_have_count(25)
    library_pages = page.get_by_role("navigation", name="Library pages")
    library_pages.get_by_role("button", name="Older").click()
    expect(topics).to_have_count(5)
    expect(library_pages.get_by_role("button", name="Older")).to_be_disabled()
    expect(library_pages.get_by_role("status")).to_have_text("topics 26–30")

    page.get_by_role("link", name="Queue").click()
    cards = page.locator("article.post")
    queue_pages = page.get_by_role("navigation", name="Queue pages")
    seen: set[str] = set()
    for number in range(3):
        expect(cards).to_have_count(10)
        seen |= {cards.nth(i).get_attribute("data-post") or "" for i in range(10)}
        if number < 2:
            queue_pages.get_by_role("button", name="Older").click()
            expect(queue_pages.get_by_role("status")).to_have_text(
                f"posts {10 * (number + 1) + 1}–{10 * (number + 2)}"
            )
    expect(queue_pages.get_by_role("button", name="Older")).to_be_disabled()
    assert len(seen) == 30  # every post reachable


def test_a_failed_post_is_published_again_from_the_queue(stack: Stack, page: Page) -> None:
    client, post_id = queued(stack, "Publish again")
    faults = f"http://127.0.0.1:{stack.ports.tiktok}/_control/faults"
    httpx.put(
        faults,
        json={
            "/v2/post/publish/content/init/": {
                "next_errors": 1,
                "error_status": 403,
                "error_code": "url_ownership_unverified",
            }
        },
    ).raise_for_status()
    try:
        approved = client.post(
            f"/api/approval/posts/{post_id}/approve",
            json={
                "privacy_level": "SELF_ONLY",
                "allow_comment": False,
                "music_usage_consent": True,
            },
        )
        assert approved.status_code == 202, approved.text
        assert eventually(
            lambda: client.get(f"/api/approval/posts/{post_id}").json()["status"] == "failed",
            timeout=60,
        )
    finally:
        httpx.put(faults, json={}).raise_for_status()
    signed_in_as(page, client, stack)
    page.goto(stack.gateway_url)
    page.get_by_role("link", name="Queue").click()
    card = page.locator(f'article[data-post="{post_id}"]')
    expect(card.locator(".post-status")).to_contain_text("domain or prefix is not verified")
    expect(card.get_by_text("then publish it again")).to_be_visible()
    shot(page, "ui-8-failed-post")
    card.get_by_role("button", name="Publish again").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Title")).not_to_be_editable()  # what was approved is sent
    submit = dialog.get_by_role("button", name="Publish again")
    expect(submit).to_be_disabled()  # the person chooses again: no privacy preset
    dialog.get_by_label("Who can view this post").select_option("SELF_ONLY")
    submit.click()
    expect(dialog).to_be_hidden()
    assert eventually(
        lambda: client.get(f"/api/approval/posts/{post_id}").json()["status"] == "published",
        timeout=60,
    )
    assert client.get(f"/api/approval/posts/{post_id}").json()["attempt"] == 2
