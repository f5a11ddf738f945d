"""Real Chromium (Debian's package) driven by Playwright; screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from gatepost_devstack.stack import Stack

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API holds an event loop, which must be gone before the
    asyncio tests of other modules run."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def consent_screen(stack: Stack) -> Iterator[None]:
    """TikTok's consent screen shows (the test stack otherwise consents by itself)."""
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control/auto-consent"
    httpx.put(control, params={"enabled": False}).raise_for_status()
    yield
    httpx.put(control, params={"enabled": True}).raise_for_status()


def signed_in_as(page: Page, client: httpx.Client, stack: Stack) -> None:
    """The browser takes over the session of an API client (cookies)."""
    page.context.add_cookies(
        [
            {"name": c.name, "value": c.value or "", "url": stack.gateway_url}
            for c in client.cookies.jar
        ]
    )
