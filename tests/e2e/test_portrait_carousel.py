"""A full-screen portrait carousel, end to end: the shape is chosen on the Accounts page, the
image model is asked for a portrait size, the queue's preview shows the slides in their true shape
(screenshots at desktop and phone width, axe-core clean), a new picture from the slide editor
keeps the shape, and once approved TikTok (the stand-in,
on the short-side size rule) pulls seven 1080×1920 slides per post, in Latin and Arabic script,
whose words OCR (Tesseract) reads inside the safe area measured for that shape, and nowhere
else."""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageChops
from playwright.sync_api import Page, expect

from gatepost_devstack.outside import APPROVAL, eventually, signed_up
from gatepost_devstack.stack import Stack
from gatepost_media.typeset import safe_area
from tests.e2e.browser import browser, look_at, page, signed_in_as
from tests.integration.test_generation import wait_topic
from tests.integration.test_publisher import publishes_of

__all__ = ["browser", "page"]
TOPICS = {  # two scripts: Latin and Arabic (the stand-in writes a slide's words from the topic)
    "eng": "Keep houseplants alive through winter",
    "ara": "كيف تحافظ على نباتاتك المنزلية حية طوال الشتاء",
}
SIZE = (1080, 1920)


def words_of(text: str) -> set[str]:
    """The words OCR is held to: letters only, four or more of them (OCR drops short marks)."""
    return {w for w in re.findall(r"[^\W\d_]{4,}", text.casefold())}


def ocr(image: Image.Image, language: str) -> set[str]:
    """The words Tesseract reads at a half, a third and a quarter of the size, as a phone shows a
    slide smaller than it is (its Arabic model misses a different word at each size of the
    slide's large type); one thread each, as the machine is shared."""
    read: set[str] = set()
    with tempfile.TemporaryDirectory() as folder:
        for factor in (2, 3, 4):
            path = Path(folder) / f"slide-{factor}.png"
            image.reduce(factor).save(path)
            found = subprocess.run(
                ["tesseract", str(path), "stdout", "-l", language, "--psm", "11"],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )
            read |= words_of(found.stdout)
    return read


def picture(url: str) -> Image.Image:
    return Image.open(io.BytesIO(httpx.get(url).content)).convert("RGB")


def changed_area(slide: Image.Image, illustration: Image.Image) -> tuple[int, int, int, int]:
    """Where the slide differs from its illustration (its words and their box), beyond JPEG's
    re-encoding noise."""
    difference = ImageChops.difference(slide, illustration).convert("L")
    box = difference.point(lambda v: 255 if v > 48 else 0).getbbox()
    assert box is not None, "the slide carries no words"
    return box


def queued(client: httpx.Client, account_id: str, text: str) -> dict[str, Any]:
    """The post generated from a topic added through the API, once it awaits approval."""
    topic = {"text": text, "account_id": account_id}
    topic_id = client.post("/api/generator/topics", json=topic).json()["topic_id"]
    path = f"/api/approval/posts/{wait_topic(client, topic_id, {'generated'})['post_id']}"
    assert eventually(lambda: client.get(path).status_code == 200)
    post: dict[str, Any] = client.get(path).json()
    return post


def choose_full_screen_slides(page: Page) -> None:
    """On the Accounts page, as a person would: the account's slide shape."""
    page.get_by_role("link", name="Accounts").click()
    page.get_by_text("Slide style", exact=True).click()
    page.get_by_label("Slide shape").select_option("1080x1920")
    page.get_by_role("button", name="Save slide style").click()
    expect(page.get_by_text("Slide style saved")).to_be_visible()


def test_a_full_screen_carousel_in_two_scripts_is_previewed_and_published(
    stack: Stack, page: Page
) -> None:
    client, _, account_id = signed_up(stack)
    signed_in_as(page, client, stack)
    page.goto(stack.gateway_url)
    choose_full_screen_slides(page)
    accounts = client.get("/api/auth/accounts").json()
    assert accounts[0]["style"]["format"] == "1080x1920"

    calls = f"http://127.0.0.1:{stack.ports.openai}/_control/calls"
    drawn_before = len(httpx.get(calls).json())
    posts: dict[str, dict[str, Any]] = {}
    for language, text in TOPICS.items():
        posts[language] = queued(client, account_id, text)
    asked = [
        c["params"]["size"] for c in httpx.get(calls).json()[drawn_before:] if c["kind"] == "image"
    ]
    assert asked == ["1088x1920"] * 14, asked  # gpt-image-2 takes sides divisible by 16

    page.get_by_role("link", name="Queue").click()
    for post in posts.values():
        card = page.locator(f'article[data-post="{post["post_id"]}"]')
        slide = card.locator(".phone .screen img")
        expect(slide).to_be_visible()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=slide.element_handle()
        )
        box = slide.bounding_box()
        assert box is not None
        assert abs(box["height"] / box["width"] - 1920 / 1080) < 0.02, box  # the true shape
        expect(card.locator(".full-size")).to_have_attribute(
            "aria-label", "Slide 1 at full size (1080 × 1920), in a new tab"
        )
    card = page.locator(f'article[data-post="{posts["ara"]["post_id"]}"]')
    card.scroll_into_view_if_needed()
    assert look_at(page, "portrait-preview") == []

    # "New picture" in the slide editor draws in the post's shape too
    eng = posts["eng"]
    redrawn = client.post(
        f"/api/approval/posts/{eng['post_id']}/slides/4/redraw", json={"revision": eng["revision"]}
    )
    assert redrawn.status_code == 200, redrawn.text
    posts["eng"] = redrawn.json()
    assert httpx.get(calls).json()[-1]["params"]["size"] == "1088x1920"
    fresh = posts["eng"]["slides"][4]
    assert fresh["illustration_sha256"] != eng["slides"][4]["illustration_sha256"]
    assert picture(fresh["illustration_url"]).size == picture(fresh["image_url"]).size == SIZE

    left, top, right, bottom = safe_area(*SIZE)
    for language, post in posts.items():
        urls = [s["image_url"] for s in post["slides"]]
        approved = client.post(
            f"/api/approval/posts/{post['post_id']}/approve",
            json=APPROVAL | {"revision": post["revision"]},
        )
        assert approved.status_code == 202, approved.text
        path = f"/api/approval/posts/{post['post_id']}"
        assert eventually(
            lambda path=path: client.get(path).json()["status"] == "published", timeout=90
        )
        [pulled] = publishes_of(stack, urls)
        assert pulled["photo_sizes"] == [list(SIZE)] * 7, pulled["photo_sizes"]
        for at, slide in enumerate(post["slides"]):
            image = picture(slide["image_url"])
            assert image.size == SIZE
            # nothing but the illustration outside the safe area (8 px: a JPEG block's reach)
            x0, y0, x1, y1 = changed_area(image, picture(slide["illustration_url"]))
            assert x0 >= left - 8 and y0 >= top - 8 and x1 <= right + 8 and y1 <= bottom + 8
            expected = words_of(slide["text"] + (" " + post["title"] if at == 0 else ""))
            read = ocr(image.crop((left, top, right, bottom)), language)
            assert len(expected & read) >= 0.75 * len(expected), (language, expected, read)
