"""The pages hold to the gateway's Content-Security-Policy: every view of a signed-in person
loads with the policy in force and nothing refused (the `page` fixture fails a test on any
"Refused to …" from Chromium); and the policy is not a dead letter: an inline script is refused."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from gatepost_devstack.gateway import CSP
from gatepost_devstack.outside import signed_up
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, csp_refusals, page, signed_in_as

__all__ = ["browser", "page"]
VIEWS = ("Library", "Queue", "Accounts", "Publications")


def test_every_view_loads_under_the_policy_with_nothing_refused(stack: Stack, page: Page) -> None:
    client, _, _ = signed_up(stack)
    signed_in_as(page, client, stack)
    document = page.goto(stack.gateway_url)
    assert document is not None and document.headers["content-security-policy"] == CSP
    for name in VIEWS:
        page.get_by_role("link", name=name).click()
        expect(page).to_have_url(f"{stack.gateway_url}/#{name.lower()}")
        expect(page.locator("#main")).not_to_be_empty()


def test_an_inline_script_is_refused(stack: Stack, browser: Browser) -> None:
    """Its own page: the refusal is the point here, so the `page` fixture's check is not used."""
    context = browser.new_context()
    try:
        page = context.new_page()
        refused = csp_refusals(page)
        page.goto(stack.gateway_url)
        page.evaluate(
            """() => { const s = document.createElement("script");
                       s.textContent = "window.ran = true"; document.head.append(s); }"""
        )
        expect(page.locator("#main")).to_be_attached()
        assert not page.evaluate("() => window.ran === true")
        assert any("script-src" in text for text in refused), refused
    finally:
        context.close()
