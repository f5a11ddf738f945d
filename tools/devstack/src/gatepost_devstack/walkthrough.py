"""The demo TikTok's app reviewers expect, driven through the real UI in Chromium: connect an
account through TikTok's consent screen, generate a carousel, open the posting page (nickname,
preview, editable words, privacy with no default, interaction, commercial disclosure and its
labels, the music and branded content declarations), approve that one post, and watch its status
until it is published. Numbered screenshots and a video of the whole flow are written to a folder,
and an animated GIF of them (two seconds a step), for a team to adapt for its audit submission
(see docs/tiktok-audit.md).

Run it against the local run (`./dev run` in another terminal; its TikTok is the stand-in):

    uv run python -m gatepost_devstack.walkthrough [--url http://127.0.0.1:8080] [--out walkthrough]
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's package (./dev installs it)
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SLOW_MS = 90_000  # generation and TikTok's processing take a moment


class Steps:
    """Numbered screenshots of one walk-through."""

    def __init__(self, page: Page, out: Path) -> None:
        self.page = page
        self.out = out
        self.taken: list[Path] = []

    def shot(self, name: str) -> Path:
        path = self.out / f"{len(self.taken) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        self.taken.append(path)
        return path


def sign_up_by_mail(
    page: Page,
    url: str,
    email: str,
    password: str,
    shot: Callable[[str], object] = lambda _: None,
) -> None:
    """Sign up in the web UI as a person would: the form, then the link mailed to the address,
    opened from the local run's mailbox page. `shot(name)` is called at each step (to take a
    screenshot)."""
    page.goto(url)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    shot("sign-up")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Check your e-mail")).to_be_visible()
    mailbox = page.get_by_role("link", name="Open the local mailbox").get_attribute("href")
    page.goto(f"{url.rstrip('/')}{mailbox}")
    mail = page.locator("article", has_text=email).first
    expect(mail).to_be_visible()
    shot("sign-up-mail")
    mail.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()


def walk(
    browser: Browser, url: str, out: Path, topic: str = "Five habits of calm mornings"
) -> list[Path]:
    """The whole demo; returns the screenshots, in order, then the GIF."""
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    steps = Steps(page, out)
    email = f"reviewer-{uuid.uuid4().hex[:8]}@example.com"
    sign_up_by_mail(page, url, email, "a reviewer's password", steps.shot)

    page.get_by_role("link", name="Connect a TikTok account").click()
    page.get_by_role("heading", name="would like to access your TikTok account").wait_for()
    steps.shot("tiktok-consent-screen")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()
    expect(page.locator(".account")).to_have_count(1)
    steps.shot("account-connected")

    page.get_by_role("link", name="Library").click()
    page.get_by_label("Topic").fill(topic)
    page.get_by_role("button", name="Add topic").click()
    row = page.locator("tr", has_text=topic).first
    expect(row.get_by_text("Generated")).to_be_visible(timeout=SLOW_MS)
    steps.shot("carousel-generated")

    page.get_by_role("link", name="Queue").click()
    card = page.locator("article.post").filter(has_text=topic).first
    expect(card.locator(".banner")).to_have_text("Awaiting approval")
    steps.shot("queue-awaiting-approval")
    card.get_by_role("button", name="Approve and publish").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Posting as")).to_be_visible()
    steps.shot("post-to-tiktok-nickname-and-preview")
    dialog.get_by_label("Title").focus()
    steps.shot("editable-title-caption-hashtags")
    privacy = dialog.get_by_label("Who can view this post")
    privacy.scroll_into_view_if_needed()
    steps.shot("privacy-has-no-default")
    privacy.select_option("PUBLIC_TO_EVERYONE")
    dialog.get_by_label("Comment").scroll_into_view_if_needed()
    steps.shot("interaction-unchecked")
    dialog.get_by_label("Indicate whether this content promotes yourself").check()
    steps.shot("disclosure-needs-a-choice")
    dialog.get_by_label("Your brand").check()
    expect(dialog.get_by_text("labeled as 'Promotional content'")).to_be_visible()
    steps.shot("your-brand-promotional-content")
    dialog.get_by_label("Branded content").check()
    expect(dialog.get_by_text("labeled as 'Paid partnership'")).to_be_visible()
    dialog.get_by_text("Branded Content Policy").scroll_into_view_if_needed()
    steps.shot("branded-content-paid-partnership-and-declaration")
    dialog.get_by_role("button", name="Approve and publish").click()
    expect(dialog).to_be_hidden()
    steps.shot("approved-one-post")

    page.get_by_role("link", name="Publications").click()
    published = page.locator("table.publications").get_by_text("Published").first
    expect(published).to_be_visible(timeout=SLOW_MS)
    steps.shot("published")
    context.close()
    return [*steps.taken, animate(steps.taken, out / "walkthrough.gif")]


def animate(frames: list[Path], target: Path, seconds_each: float = 2.0) -> Path:
    """The screenshots as one animated GIF (Playwright's own video needs a downloaded ffmpeg)."""
    images = [Image.open(frame).convert("RGB").resize((960, 675)) for frame in frames]
    images[0].save(
        target,
        save_all=True,
        append_images=images[1:],
        duration=int(seconds_each * 1000),
        loop=0,
        optimize=True,
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="Gatepost's gateway")
    parser.add_argument("--out", type=Path, default=Path("walkthrough"))
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            made = walk(browser, args.url, args.out)
        finally:
            browser.close()
    for path in made:
        print(path)


if __name__ == "__main__":
    main()
