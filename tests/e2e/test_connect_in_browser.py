"""Connecting a TikTok account in a real browser, through the gateway, against the stand-in's
consent screen."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page

from gatepost_devstack.stack import Stack
from gatepost_devstack.walkthrough import sign_up_by_mail
from tests.e2e.browser import browser, consent_screen, page, shot

__all__ = ["browser", "consent_screen", "page"]


def sign_up(page: Page, stack: Stack) -> None:
    """As a person would: the form, the mail, its link."""
    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    taken = []
    sign_up_by_mail(page, stack.gateway_url, email, "correct horse", taken.append)
    assert taken == ["sign-up", "sign-up-mail"]
    assert page.get_by_role("button", name="Sign out", exact=True).is_visible()


def test_sign_up_shows_no_navigation_before_the_link(stack: Stack, page: Page) -> None:
    page.goto(stack.gateway_url)
    page.get_by_label("E-mail").fill(f"early-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Check your e-mail").wait_for()
    signed_out = page.get_by_role("button", name="Sign out", exact=True)
    assert not signed_out.is_visible()  # not signed in yet
    shot(page, "signup-check-your-mail")


def test_connect_a_tiktok_account_through_the_consent_screen(
    stack: Stack, page: Page, consent_screen: None
) -> None:
    sign_up(page, stack)
    page.goto(f"{stack.gateway_url}/api/auth/tiktok/connect")
    page.get_by_role("heading", name="would like to access your TikTok account").wait_for()
    chosen = page.locator("input[name=open_id]:checked")
    assert chosen.count() == 1  # the account that is signed in on TikTok is preselected
    shot(page, "connect-1-consent-screen")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{stack.gateway_url}/#accounts")
    shot(page, "connect-2-back-in-gatepost")
    accounts = page.request.get(f"{stack.gateway_url}/api/auth/accounts").json()
    assert [a["display_name"] for a in accounts] == ["Local Creator"]


def test_declining_consent_shows_a_clear_page(
    stack: Stack, page: Page, consent_screen: None
) -> None:
    sign_up(page, stack)
    page.goto(f"{stack.gateway_url}/api/auth/tiktok/connect")
    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("heading", name="TikTok account not connected").wait_for()
    assert "You declined access on TikTok." in page.content()
    shot(page, "connect-declined")
    assert page.request.get(f"{stack.gateway_url}/api/auth/accounts").json() == []
