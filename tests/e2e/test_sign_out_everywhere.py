"""Signing out everywhere from the Accounts page, in a real browser: the person's other session
(another device) answers 401 at once, and the browser is back at the sign-in form."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from gatepost_devstack.outside import browser as api_client
from gatepost_devstack.outside import signed_up
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, look_at, page, signed_in_as

__all__ = ["browser", "page"]


def test_sign_out_everywhere_from_the_accounts_page_ends_the_other_devices_too(
    stack: Stack, page: Page
) -> None:
    laptop, _, _ = signed_up(stack)
    email = laptop.get("/api/auth/me").json()["email"]
    phone = api_client(stack)
    signed_in = phone.post("/api/auth/signin", json={"email": email, "password": "correct horse"})
    assert signed_in.is_success
    signed_in_as(page, laptop, stack)
    page.goto(f"{stack.gateway_url}/#accounts")
    section = page.get_by_role("region", name="Your sign-ins")
    expect(section).to_be_visible()
    assert look_at(page, "accounts-sign-out-everywhere") == []
    page.on("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_role("button", name="Create account")).to_be_visible()
    assert phone.get("/api/approval/posts").status_code == 401  # the other device, at once
    assert laptop.get("/api/approval/posts").status_code == 401
