"""Issue 29's pages rendered in Chromium from made-up answers to the shared contract (no stack):
the exact 19-digit link, numbers and their absence said plainly, withdrawing, the heatmap in the
browser's zone, the suggested time on the posting page, and the home page."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.browser import accessibility_problems, browser
from tests.unit.web.pages import (
    ACCOUNT,
    LINK,
    ORIGIN,
    PUBLIC_ID,
    ZONE,
    Answers,
    answers,
    app_page,
)

__all__ = ["answers", "app_page", "browser"]


def test_the_link_keeps_a_19_digit_public_id_exactly(app_page: Page) -> None:
    assert int(PUBLIC_ID) > 2**53
    app_page.goto(f"{ORIGIN}/#publications")
    row = app_page.locator('tr[data-post="post-live"]')
    link = row.get_by_role("link", name="View on TikTok")
    expect(link).to_have_attribute("href", LINK)
    expect(link).to_have_attribute("data-public-id", PUBLIC_ID)
    # what a client that parsed the id as a number would have shown instead
    rounded = app_page.evaluate(f"String(JSON.parse('{PUBLIC_ID}'))")
    assert rounded != PUBLIC_ID
    app_page.goto(f"{ORIGIN}/#post?id=post-live")
    expect(app_page.locator(".post-head code")).to_have_text(PUBLIC_ID)
    expect(app_page.get_by_role("link", name="View on TikTok")).to_have_attribute("href", LINK)


def test_publications_show_cover_numbers_sparkline_and_plain_reasons(
    app_page: Page, answers: Answers
) -> None:
    app_page.goto(f"{ORIGIN}/#publications")
    live = app_page.locator('tr[data-post="post-live"]')
    expect(live.locator("img.thumb")).to_have_attribute("src", "/cover.svg")
    expect(live.locator("td.numbers")).to_contain_text("48,210 views · 4,017 likes · 535 comments")
    spark = live.get_by_role("img", name="Views of Five habits of calm mornings over 7 readings")
    expect(spark.locator("canvas")).to_have_count(1)  # drawn by uPlot
    readings = next(p for p in answers.posts if p["post_id"] == "post-live")["series"]
    expect(spark).to_have_attribute(
        "aria-label",
        "Views of Five habits of calm mornings over 7 readings: "
        + ", ".join(f"{r['views']:,}" for r in readings),
    )
    private = app_page.locator('tr[data-post="post-private"]')
    expect(private.locator("td.numbers")).to_have_text(
        "This post is private (Only me): TikTok gives numbers only for public posts."
    )
    gone = app_page.locator('tr[data-post="post-gone"]')  # its cover link no longer answers
    expect(gone.locator("span.thumb.none")).to_have_count(1)
    expect(gone.locator("img")).to_have_count(0)
    down = app_page.locator('tr[data-post="post-down"]')
    expect(down).to_contain_text("Taken down on TikTok")
    expect(down.get_by_role("link", name="View on TikTok")).to_have_count(0)
    export = app_page.get_by_role("link", name="Download every reading (CSV)")
    expect(export).to_have_attribute("href", "/api/publisher/insights/export.csv")
    assert accessibility_problems(app_page) == []


def test_withdraw_is_offered_only_before_sending_and_says_why_it_was_refused(
    app_page: Page, answers: Answers
) -> None:
    app_page.on("dialog", lambda dialog: dialog.accept())
    app_page.goto(f"{ORIGIN}/#publications")
    expect(app_page.get_by_role("button", name="Withdraw")).to_have_count(1)
    soon = app_page.locator('tr[data-post="post-soon"]')
    answers.withdraw = (409, {"detail": "It is already on its way to TikTok."})
    soon.get_by_role("button", name="Withdraw").click()
    expect(app_page.locator("#flash")).to_have_text(
        "Not withdrawn: It is already on its way to TikTok."
    )
    answers.withdraw = (200, {"status": "withdrawn"})
    soon.get_by_role("button", name="Withdraw").click()
    expect(app_page.locator("#flash")).to_have_text(
        'Withdrawn: "Repotting a monstera" will not be sent to TikTok.'
    )
    assert answers.asked.count("POST /api/publisher/publications/post-soon/withdraw") == 2


def test_a_posts_curve_is_a_chart_with_its_readings_as_a_table(app_page: Page) -> None:
    app_page.goto(f"{ORIGIN}/#post?id=post-live")
    expect(app_page.get_by_role("heading", name="Five habits of calm mornings")).to_be_visible()
    chart = app_page.locator("figure.curve .chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute(
        "aria-label",
        "Five habits of calm mornings: 7 readings; at the latest, 48,210 views, 4,017 likes, "
        "535 comments, 321 shares",
    )
    app_page.get_by_text("The readings as a table").click()
    expect(app_page.locator("figure.curve details tbody tr")).to_have_count(7)
    expect(app_page.locator("figure.curve details tbody tr").last).to_contain_text("48,210")
    assert accessibility_problems(app_page) == []


def test_a_post_without_numbers_says_why(app_page: Page) -> None:
    app_page.goto(f"{ORIGIN}/#post?id=post-private")
    expect(app_page.get_by_role("note")).to_have_text(
        "This post is private (Only me): TikTok gives numbers only for public posts."
    )
    expect(app_page.locator(".chart")).to_have_count(0)


def test_the_heatmap_is_asked_in_the_browsers_zone_and_counts_posts_per_cell(
    app_page: Page, answers: Answers
) -> None:
    app_page.goto(f"{ORIGIN}/#account?id={ACCOUNT}")
    table = app_page.locator("table.heatmap.week-rows")
    expect(table.locator("caption")).to_contain_text(f"in your time zone ({ZONE})")
    assert f"GET /api/publisher/insights/accounts/{ACCOUNT}" in answers.asked
    expect(table.locator("tbody tr")).to_have_count(7)
    expect(table.locator("tbody tr").first.locator("td")).to_have_count(24)
    tuesday_7pm = table.locator("tbody tr").nth(1).locator("td").nth(19)
    expect(tuesday_7pm).to_have_text("2")  # (1 + 19) % 3 posts stand behind it
    expect(tuesday_7pm).to_have_class("shade-4 suggested")
    expect(tuesday_7pm).to_have_attribute("title", "Tuesday 7 PM: 2 posts, score 1,000")
    expect(app_page.locator("dl.tiles")).to_contain_text("15,230")
    expect(app_page.locator(".suggestions li").first).to_contain_text("high confidence (78 %)")
    expect(app_page.locator("figure.per-post canvas")).to_have_count(1)
    assert accessibility_problems(app_page) == []
    app_page.set_viewport_size({"width": 390, "height": 844})  # a phone: a row an hour
    expect(table).to_be_hidden()
    by_hour = app_page.locator("table.heatmap.hour-rows")
    expect(by_hour.locator("tbody tr")).to_have_count(24)
    expect(by_hour.locator("tbody tr").nth(19).locator("td").nth(1)).to_have_class(
        "shade-4 suggested"
    )
    assert accessibility_problems(app_page) == []


def test_the_home_page_says_what_needs_you(app_page: Page, answers: Answers) -> None:
    answers.awaiting = [{"post_id": "p-wait", "title": "Three ways to fold a shirt"}]
    app_page.goto(ORIGIN)
    expect(app_page.get_by_role("heading", name="What needs you")).to_be_visible()
    expect(app_page.get_by_role("link", name="Home")).to_have_attribute("aria-current", "")
    sections = {
        "Awaiting your approval": "Three ways to fold a shirt",
        "Stuck or failed": "Sourdough in 5 steps: TikTok says the picture's domain is not",
        "Out today": "Balcony tomatoes for beginners",
        "Scheduled": "Repotting a monstera",
        "Accounts today": "13 of 15 posts left in 24 hours",
        "This week's best posts": "Five habits of calm mornings: 48,210 views",
    }
    for title, text in sections.items():
        expect(app_page.get_by_role("region", name=title)).to_contain_text(text)
    accounts = app_page.get_by_role("region", name="Accounts today")
    suggested = answers.account["suggestions"][0]["at"]
    expect(accounts.locator(f'time[datetime="{suggested}"]')).to_have_count(1)
    expect(accounts).not_to_contain_text("object")
    expect(app_page.get_by_role("region", name="This week's best posts")).not_to_contain_text(
        "Window herbs"  # taken down
    )
    assert accessibility_problems(app_page) == []


def test_the_posting_page_offers_the_suggested_time_within_the_daily_cap(
    app_page: Page, answers: Answers
) -> None:
    slot = answers.account["suggestions"][0]
    app_page.goto(f"{ORIGIN}/#queue?post=p-wait")
    app_page.get_by_role("button", name="Approve and publish").click()
    dialog = app_page.get_by_role("dialog")
    suggested = dialog.get_by_label("At the suggested time")
    expect(suggested).to_be_enabled()
    expect(dialog.locator(f'#suggested-time time[datetime="{slot["at"]}"]')).to_have_count(1)
    expect(dialog.locator("#suggested-note")).to_contain_text("high confidence (78 %)")
    expect(dialog.locator("#budget-note")).to_contain_text("13 of 15 posts left in 24 hours")
    expect(dialog.locator("#budget-note")).to_contain_text(
        "This app may post for 2 more creators today (TikTok lets an unaudited app post for 5 "
        "creators within 24 hours; 3 have posted)."
    )
    assert dialog.get_by_label("Now", exact=True).is_checked()  # nothing is scheduled unless chosen
    suggested.check()
    dialog.get_by_label("Who can view this post").select_option("PUBLIC_TO_EVERYONE")
    dialog.get_by_role("button", name="Approve and publish").click()
    expect(dialog).to_be_hidden()
    sent = answers.sent["POST /api/approval/posts/p-wait/approve"]
    assert sent["publish_after"] == slot["at"]  # exactly the slot, as UTC


def test_with_todays_posts_used_up_the_suggested_time_is_tomorrows(
    app_page: Page, answers: Answers
) -> None:
    # a place comes back an hour after the first suggestion, before the second
    first = datetime.fromisoformat(answers.account["suggestions"][0]["at"])
    ends = (first + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    answers.budget |= {"posts_left": 0, "next_post_place_at": ends}
    later = answers.account["suggestions"][1]["at"]
    app_page.goto(f"{ORIGIN}/#queue?post=p-wait")
    app_page.get_by_role("button", name="Approve and publish").click()
    dialog = app_page.get_by_role("dialog")
    expect(dialog.locator(f'#suggested-time time[datetime="{later}"]')).to_have_count(1)
    answers.account["suggestions"] = answers.account["suggestions"][:1]
    dialog.get_by_role("button", name="Cancel").click()
    app_page.get_by_role("button", name="Approve and publish").click()
    expect(dialog.get_by_label("At the suggested time")).to_be_disabled()
    expect(dialog.locator("#suggested-note")).to_have_text(
        "The suggested times come before this account may post again."
    )


def test_a_chosen_time_is_sent_as_the_person_typed_it_in_their_zone(
    app_page: Page, answers: Answers
) -> None:
    app_page.goto(f"{ORIGIN}/#queue?post=p-wait")
    app_page.get_by_role("button", name="Approve and publish").click()
    dialog = app_page.get_by_role("dialog")
    dialog.get_by_label("Publish after (optional)").fill("2027-01-15T09:30")
    assert dialog.get_by_label("At a time I choose").is_checked()
    dialog.get_by_label("Who can view this post").select_option("PUBLIC_TO_EVERYONE")
    dialog.get_by_role("button", name="Approve and publish").click()
    expect(dialog).to_be_hidden()
    sent = answers.sent["POST /api/approval/posts/p-wait/approve"]
    assert sent["publish_after"] == "2027-01-15T14:30:00.000Z"  # 9:30 in New York
