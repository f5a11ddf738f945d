"""A person's own video through the web UI, in real Chromium: uploaded in the Library with a
progress bar, previewed in the queue, approved as a draft for the creator's TikTok inbox (the
dialog then asks nothing TikTok does not use), and its status seen."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from gatepost_devstack.outside import signed_up_creator
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, page, shot, signed_in_as
from tests.videos import make_video, photo

__all__ = ["browser", "page"]
POSTER = re.compile(r"/media/[0-9a-f]{64}\.jpg$")  # media's frame of the video


def test_a_video_is_uploaded_and_sent_to_the_inbox_as_a_draft(
    stack: Stack, page: Page, tmp_path: Path
) -> None:
    client, _, _, _ = signed_up_creator(stack)
    video = make_video(tmp_path / "balcony.mp4", 3, size="720x1280")
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#library")
    own = page.locator("#own-media")
    own.get_by_label("Title").fill("Balcony tour")
    own.get_by_label("Caption").fill("Morning light on the balcony 🌿")
    own.get_by_label("Files").set_input_files(str(video))
    shot(page, "own-1-library-upload")
    own.get_by_role("button", name="Add to the queue").click()
    expect(own.get_by_role("status")).to_contain_text("is in the queue", timeout=60_000)

    page.get_by_role("link", name="Queue").click()
    card = page.locator("article.post", has_text="Balcony tour")
    expect(card).to_contain_text("Video uploaded by you")
    expect(card.locator("video")).to_have_attribute("poster", POSTER)
    shot(page, "own-2-queue-video")
    card.get_by_role("button", name="Approve and publish").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("#duration-note")).to_contain_text("This video is 3 s long")
    expect(dialog.get_by_label("Duet")).to_be_visible()  # a video's interactions
    expect(dialog.get_by_label("Stitch")).to_be_disabled()  # the creator turned Stitch off
    expect(dialog.get_by_label("Add music automatically")).to_be_hidden()  # photos only
    dialog.locator("#video-interactions").scroll_into_view_if_needed()
    shot(page, "own-3a-approve-video-directly")
    expect(dialog.locator("#budget-note")).to_contain_text("posts left in 24 hours on this account")
    dialog.get_by_label("Send to the creator's TikTok inbox as a draft").check()
    expect(dialog.locator("#budget-note")).to_have_text("5 of 5 inbox drafts left in 24 hours.")
    # a draft: no privacy, interaction or disclosure choices, no music declaration
    expect(dialog.get_by_label("Who can view this post")).to_be_hidden()
    expect(dialog.get_by_label("Duet")).to_be_hidden()
    expect(dialog.locator("#declaration")).to_be_hidden()
    expect(dialog.locator("#inbox-hint")).to_be_visible()
    shot(page, "own-3-approve-as-draft")
    dialog.get_by_role("button", name="Approve and send to inbox").click()
    expect(dialog).to_be_hidden()
    expect(card.locator(".post-status")).to_contain_text(
        "In the creator's TikTok inbox", timeout=90_000
    )
    shot(page, "own-4-in-the-inbox")
    posts = client.get("/api/approval/posts").json()
    [post] = [p for p in posts if p["title"] == "Balcony tour"]
    assert (post["status"], post["post_mode"], post["media_type"]) == (
        "in_inbox",
        "MEDIA_UPLOAD",
        "VIDEO",
    )


def test_a_published_video_links_to_the_live_post(stack: Stack, page: Page, tmp_path: Path) -> None:
    client, _, account_id, _ = signed_up_creator(stack)
    with make_video(tmp_path / "live.mp4", 2).open("rb") as data:
        post = client.post(
            "/api/approval/uploads",
            data={"account_id": account_id, "title": "Straight to the profile"},
            files={"files": ("live.mp4", data, "video/mp4")},
        ).json()
    approved = client.post(
        f"/api/approval/posts/{post['post_id']}/approve",
        json={"privacy_level": "PUBLIC_TO_EVERYONE", "music_usage_consent": True},
    )
    assert approved.status_code == 202, approved.text
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#queue")
    card = page.locator(f'article[data-post="{post["post_id"]}"]')
    link = card.get_by_role("link", name="View on TikTok")
    expect(link).to_have_attribute(
        "href", re.compile(r"^https://www\.tiktok\.com/@.+/video/\d+$"), timeout=60_000
    )
    expect(card.locator(".post-status")).to_contain_text("Published")
    shot(page, "own-5-published-with-link")
    # the queue's filters: words in the title, then a status that does not match
    search = page.get_by_label("Search")
    search.fill("no such words")
    expect(page.get_by_text("No post matches these filters.")).to_be_visible()
    search.fill("STRAIGHT")
    expect(card).to_be_visible()
    page.get_by_label("Status").select_option("rejected")
    expect(card).to_be_hidden()
    page.get_by_label("Status").select_option("published")
    expect(card).to_be_visible()
    shot(page, "own-6-queue-filtered")


def test_the_queue_by_keyboard_and_a_message_that_stays_on_its_page(
    stack: Stack, page: Page
) -> None:
    client, _, account_id, _ = signed_up_creator(stack)
    for n, title in enumerate(["First photo", "Second photo"]):
        client.post(
            "/api/approval/uploads",
            data={"account_id": account_id, "title": title},
            files=[("files", (f"{n}.jpg", photo(n + 70), "image/jpeg"))],
        ).raise_for_status()
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#queue")
    cards = page.locator("article.post")
    expect(cards).to_have_count(2)
    page.keyboard.press("j")
    expect(cards.nth(0)).to_be_focused()  # newest first
    page.keyboard.press("j")
    expect(cards.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(cards.nth(0)).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Title")).to_have_value("Second photo")
    expect(dialog.locator("#time-zone")).to_contain_text("Gatepost keeps it in UTC")
    dialog.get_by_label("Send to the creator's TikTok inbox as a draft").check()
    dialog.get_by_role("button", name="Approve and send to inbox").click()
    expect(page.locator("#flash")).to_contain_text("Approved")
    page.get_by_role("link", name="Publications").click()
    expect(page.locator("#flash")).to_have_text("")  # the message belonged to the queue
    expect(page.locator("table.publications")).to_contain_text("Second photo")  # by title
    shot(page, "own-7-publications-by-title")
    # the account's budget on the Accounts page: one draft of the inbox's five is taken
    page.get_by_role("link", name="Accounts").click()
    budget = page.locator(f'[data-account="{account_id}"] .budget')
    expect(budget).to_contain_text("of 5 inbox drafts left in 24 hours")
    expect(budget).to_contain_text("posts left")
