"""Real Chromium (Debian's package) driven by Playwright; screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

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
    """A fresh page; the test fails if the gateway's Content-Security-Policy refused anything
    the page tried (Chromium says so on the console: "Refused to …")."""
    context = browser.new_context()
    opened = context.new_page()
    refused = csp_refusals(opened)
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()
    assert refused == [], refused


def csp_refusals(page: Page) -> list[str]:
    """The page's Content-Security-Policy violations, as they happen."""
    refused: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            refused.append(message.text)

    page.on("console", heard)
    return refused


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


AXE = Path(__file__).parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def accessibility_problems(page: Page) -> list[str]:
    """What axe-core (from npm, run in the page) finds serious or critical."""
    if not page.evaluate("() => 'axe' in window"):
        # evaluated by the browser's devtools, not a <script> tag: the page's CSP allows no
        # inline script, and a test must not need a hole in it
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document)).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)"""
    )
    return [str(problem) for problem in found]


def look_at(page: Page, name: str) -> list[str]:
    """The page at desktop and at phone width: a screenshot of each, and what axe-core finds
    serious or critical at either."""
    problems = []
    for width, (x, y) in WIDTHS.items():
        page.set_viewport_size({"width": x, "height": y})
        page.wait_for_timeout(300)  # the layout settles
        shot(page, f"{name}-{width}")
        problems += [f"{width}: {problem}" for problem in accessibility_problems(page)]
    return problems
