"""The API page in Chromium: a person makes a named, scoped, expiring token, sees it once, finds it
listed, and revokes it; the token then opens nothing. Desktop and phone width, axe-core clean."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from gatepost_devstack.outside import signed_up
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, look_at, page, signed_in_as

__all__ = ["browser", "page"]  # the fixtures


def test_a_person_makes_sees_once_and_revokes_a_token(stack: Stack, page: Page) -> None:
    client, _, _ = signed_up(stack)
    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#api")
    expect(page.get_by_role("heading", name="API", exact=True)).to_be_visible()
    expect(page.get_by_text(f"{stack.gateway_url}/api/v1/mcp")).to_be_visible()
    form = page.locator("#new-token-form")
    form.get_by_label("Name").fill("research agent")
    form.get_by_label("topics:write").check()
    form.get_by_label("posts:edit").check()
    form.get_by_label("Expires after").select_option("90")
    form.get_by_role("button", name="Create token").click()
    shown = page.get_by_label("Token")
    expect(shown).to_have_value(re.compile(r"^gpt_[0-9a-f]+_"), timeout=10_000)
    token = shown.input_value()
    row = page.locator("table.api-tokens tr", has_text="research agent")
    expect(row).to_contain_text("topics:write")
    expect(row).to_contain_text("active")
    assert look_at(page, "api-tokens") == []

    api = {"Authorization": f"Bearer {token}"}
    whoami = httpx.get(f"{stack.gateway_url}/api/v1/token", headers=api)
    assert whoami.json()["scopes"] == ["posts:edit", "topics:write"]
    page.reload()  # shown once: gone after the page is left
    expect(page.get_by_label("Token")).to_have_count(0)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke research agent").click()
    expect(row).to_contain_text("revoked")
    assert httpx.get(f"{stack.gateway_url}/api/v1/token", headers=api).status_code == 401
