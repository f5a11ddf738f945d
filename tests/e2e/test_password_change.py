"""Changing the password from the Accounts page, in a real browser: a wrong current password and
two new ones that differ are told in the form; a change signs the person's other device out at
once (401), this browser stays signed in, and only the new password signs in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from gatepost_devstack.outside import browser as api_client
from gatepost_devstack.outside import signed_up
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, look_at, page, signed_in_as

__all__ = ["browser", "page"]
OLD, NEW = "correct horse", "battery staple 7"
WRITE = """async () => {
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("gatepost_csrf="));
  const answer = await fetch("/api/auth/me/notifications", { method: "PUT",
    headers: { "Content-Type": "application/json",
      "X-CSRF-Token": decodeURIComponent(csrf.split("=")[1]) },
    body: JSON.stringify({ review_mail: true }) });
  return answer.status;
}"""


def test_a_password_change_from_the_accounts_page_signs_the_other_devices_out(
    stack: Stack, page: Page
) -> None:
    laptop, _, _ = signed_up(stack)
    email = laptop.get("/api/auth/me").json()["email"]
    phone = api_client(stack)
    assert phone.post("/api/auth/signin", json={"email": email, "password": OLD}).is_success
    signed_in_as(page, laptop, stack)
    page.goto(f"{stack.gateway_url}/#accounts")
    section = page.get_by_role("region", name="Your password")
    expect(section).to_be_visible()
    assert look_at(page, "accounts-password") == []

    section.get_by_label("Current password").fill("not my password")
    section.get_by_label("New password", exact=True).fill(NEW)
    section.get_by_label("New password again").fill(NEW + "!")
    section.get_by_role("button", name="Change password").click()
    expect(section.get_by_role("alert")).to_have_text(
        "The new password and its repetition differ: type them again."
    )
    section.get_by_label("New password again").fill(NEW)
    section.get_by_role("button", name="Change password").click()
    expect(section.get_by_role("alert")).to_have_text("that is not your current password")
    assert phone.get("/api/approval/posts").status_code == 200  # nothing ended yet

    section.get_by_label("Current password").fill(OLD)
    section.get_by_role("button", name="Change password").click()
    expect(section.get_by_role("status")).to_contain_text("Password changed")
    expect(section.get_by_label("Current password")).to_have_value("")
    assert look_at(page, "accounts-password-changed") == []
    assert phone.get("/api/approval/posts").status_code == 401  # the other device, at once

    # this browser goes on with its new session: the page still reads, and writes with the
    # new session's CSRF echo
    page.reload()
    expect(page.get_by_role("region", name="Your password")).to_be_visible()
    assert page.evaluate(WRITE) == 200
    old = api_client(stack).post("/api/auth/signin", json={"email": email, "password": OLD})
    assert old.status_code == 401
    new = api_client(stack).post("/api/auth/signin", json={"email": email, "password": NEW})
    assert new.status_code == 200
