"""The webhooks page in Chromium, against the whole stack: a person adds an endpoint (the secret
is shown once), a generated post is announced to it through Kafka and approval's outbox, signed
as docs/webhooks.md says, and the page shows the delivery with its attempt; auth mails the
person about the post with the queue's link, and the person turns that mail off and on again;
desktop and phone width, axe clean. Screenshots (JPEG) go to docs/screenshots/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gatepost_devstack.outside import eventually, signed_up
from gatepost_devstack.stack import Stack
from tests.e2e.browser import ARTIFACTS, WIDTHS, accessibility_problems, browser, page, signed_in_as
from tests.integration.test_generation import wait_topic
from tests.unit.approval.test_webhooks import Receiver, documented_snippet

__all__ = ["browser", "page"]
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    up = Receiver()
    up.start()
    yield up
    up.stop()


def test_an_endpoint_is_added_in_the_browser_and_hears_a_queued_post(
    stack: Stack, page: Page, receiver: Receiver
) -> None:
    client, _, account_id = signed_up(stack)
    signed_in_as(page, client, stack)
    page.goto(stack.gateway_url)
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Description").fill("Our CMS")
    page.get_by_label("A post was approved").uncheck()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("#webhook-secret code")
    expect(secret).to_have_text(re.compile(r"^whsec_[\w-]{40,}$"))
    endpoint = page.get_by_role("region", name=f"Endpoint {receiver.url}")
    expect(endpoint).to_contain_text("Nothing sent yet.")
    expect(endpoint).not_to_contain_text("A post was approved")

    topic_id = client.post(
        "/api/generator/topics", json={"text": "Webhooks in the browser", "account_id": account_id}
    ).json()["topic_id"]
    post_id = wait_topic(client, topic_id, {"generated"})["post_id"]
    assert eventually(lambda: receiver.received, timeout=60), "no delivery reached the receiver"
    [(headers, body)] = receiver.received
    assert documented_snippet()(secret.inner_text(), headers["gatepost-signature"], body)
    event = json.loads(body)
    assert event["type"] == "post.awaiting_approval" and event["data"]["post_id"] == post_id
    row = endpoint.locator("table.deliveries tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("delivered")
    expect(row).to_contain_text(event["id"])
    expect(row).to_contain_text("answered 204")

    email = client.get("/api/auth/me").json()["email"]
    mail = eventually(lambda: review_mail_to(stack, email), timeout=60)
    assert mail and mail["subject"] == "Gatepost: a post awaits your approval", mail
    assert f"{stack.gateway_url}/#queue?status=awaiting_approval" in mail["text"]

    told = page.get_by_label("E-mail me when posts await my approval")
    expect(told).to_be_checked()
    told.uncheck()
    assert eventually(
        lambda: client.get("/api/auth/me/notifications").json() == {"review_mail": False}
    )
    told.check()
    assert eventually(
        lambda: client.get("/api/auth/me/notifications").json() == {"review_mail": True}
    )

    problems = []
    SCREENSHOTS.mkdir(exist_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, (x, y) in WIDTHS.items():
        page.set_viewport_size({"width": x, "height": y})
        page.wait_for_timeout(300)  # the layout settles
        page.screenshot(
            path=str(SCREENSHOTS / f"webhooks-{width}.jpg"), full_page=True, type="jpeg", quality=60
        )
        page.screenshot(path=str(ARTIFACTS / f"webhooks-{width}.png"), full_page=True)
        problems += [f"{width}: {problem}" for problem in accessibility_problems(page)]
    assert problems == []


def review_mail_to(stack: Stack, email: str) -> dict[str, str] | None:
    """The mail auth sent `email` about posts awaiting approval, if any."""
    for line in stack.mailbox.read_text(encoding="utf-8").splitlines():
        mail: dict[str, str] = json.loads(line)
        if mail["to"] == email and "approval" in mail["subject"]:
            return mail
    return None
