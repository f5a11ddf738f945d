"""The reviewer walk-through (`python -m gatepost_devstack.walkthrough`) runs against the test
stack as it runs against `./dev run`: every step's screenshot and the animation are written."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser

from gatepost_devstack.stack import Stack
from gatepost_devstack.walkthrough import walk
from tests.e2e.browser import ARTIFACTS, browser, consent_screen

__all__ = ["browser", "consent_screen"]


def test_the_reviewer_walkthrough_records_every_step(
    stack: Stack, browser: Browser, consent_screen: None
) -> None:
    out = ARTIFACTS / "walkthrough"
    made = walk(browser, stack.gateway_url, out, topic="Walk-through: calm mornings")
    names = [path.name for path in made]
    assert names[0] == "01-sign-up.png" and names[-2] == "15-published.png", names
    assert names[1] == "02-sign-up-mail.png"  # the link that finishes signing up
    assert any("consent-screen" in n for n in names)
    assert any("paid-partnership-and-declaration" in n for n in names)
    gif = made[-1]
    assert gif.name == "walkthrough.gif"
    with Image.open(gif) as animation:
        assert animation.n_frames == len(made) - 1
    assert all(Path(path).stat().st_size > 5_000 for path in made[:-1])
