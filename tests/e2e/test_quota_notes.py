"""Daily quotas through the whole stack and the browser (the generator and approval restarted with
5 imports a day and room for a little over one photo): near a limit the library says so beside
the form that spends it ("You have used 4 of 5 imports today; resets at 00:00 UTC"), at desktop
and phone width, axe-clean; the fifth import goes through, the sixth is refused with the limit
and its reset time, through the UI and the API (429, `Retry-After`)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from gatepost_devstack.outside import kill_and_restart, signed_up
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, look_at, page, shot, signed_in_as
from tests.videos import photo

__all__ = ["browser", "page"]
PHOTO = photo(93, side=1080)
LOW = {
    "QUOTA_IMPORTS_PER_DAY": "5",
    # one photo is 90 % of the day's room
    "QUOTA_STORED_BYTES_PER_DAY": str(int(len(PHOTO) / 0.9)),
}


@pytest.fixture
def low_quotas(stack: Stack) -> Iterator[None]:
    """The generator and approval with small daily quotas, then as before."""
    stack.extra_env.update(LOW)
    for service in ("generator", "approval"):
        kill_and_restart(stack, service)
    try:
        yield
    finally:
        for name in LOW:
            del stack.extra_env[name]
        for service in ("generator", "approval"):
            kill_and_restart(stack, service)


def one_row_import(client: httpx.Client, account_id: str, n: int) -> httpx.Response:
    rows = {
        "topics": [{"text": f"Balcony herbs that like shade, part {n}", "account_id": account_id}]
    }
    return client.post("/api/generator/topics/bulk", json=rows)


def test_the_library_says_when_a_quota_is_near_and_refuses_past_it(
    stack: Stack, page: Page, low_quotas: None
) -> None:
    client, _, account_id = signed_up(stack)
    for n in range(4):
        assert one_row_import(client, account_id, n).status_code == 207
    uploaded = client.post(
        "/api/approval/uploads",
        data={"account_id": account_id, "title": "Shade herbs", "caption": "mint"},
        files=[("files", ("herbs.jpg", PHOTO, "image/jpeg"))],
    )
    assert uploaded.status_code == 201, uploaded.text

    signed_in_as(page, client, stack)
    page.goto(f"{stack.gateway_url}/#library")
    imports = page.locator("#import-quota")
    expect(imports).to_have_text("You have used 4 of 5 imports today; resets at 00:00 UTC.")
    expect(page.locator("#upload-quota")).to_contain_text("You have stored ")
    expect(page.locator("#upload-quota")).to_contain_text(" today; resets at 00:00 UTC.")
    expect(page.locator("#topic-quota")).to_be_hidden()  # 4 topics of 2,000: not near
    assert look_at(page, "quota-notes") == []

    form = page.locator("form", has=page.get_by_role("heading", name="Bulk import"))

    def import_through_the_ui() -> None:
        form.locator("input[type=file]").set_input_files(
            {"name": "topics.csv", "mimeType": "text/csv", "buffer": b"text\nMint in shade\n"}
        )
        form.get_by_role("button", name="Import").click()

    import_through_the_ui()
    expect(form.locator("#import-report")).to_contain_text("1 accepted, 0 rejected")
    # the library is read again after the import: slow on a loaded machine
    expect(imports).to_have_text(
        "You have used 5 of 5 imports today (none left); resets at 00:00 UTC.", timeout=60_000
    )
    import_through_the_ui()
    expect(page.locator("#flash")).to_contain_text(
        "daily limit of 5 imports reached: 5 used today", timeout=30_000
    )
    page.locator("#flash").scroll_into_view_if_needed()
    shot(page, "quota-refused")

    refused = one_row_import(client, account_id, 9)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["quota"]["kind"] == "imports"
    assert refused.json()["quota"]["resets_at"].endswith("T00:00:00Z")
    usage = {q["kind"]: q["used"] for q in client.get("/api/generator/usage").json()["quotas"]}
    assert usage["imports"] == 5 and usage["topics"] == 5
