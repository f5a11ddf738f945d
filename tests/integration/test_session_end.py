"""Through the gateway, on the real stack: "sign out everywhere" ends a person's other sessions
at once on every service (auth answers the gateway's question before any service sees the
request), and the stale cookie does not stop a new sign-in."""

from __future__ import annotations

import uuid

from gatepost_devstack.outside import browser
from gatepost_devstack.stack import Stack, sign_up_by_link

ENDED = {"detail": "sign in first: this request has no live session"}  # the gateway's words
READS = ("/api/generator/topics", "/api/approval/posts", "/api/publisher/publications")


def test_signing_out_everywhere_ends_every_session_at_once(stack: Stack) -> None:
    email, password = f"user-{uuid.uuid4().hex[:10]}@example.com", "correct horse"
    laptop, phone = browser(stack), browser(stack)
    sign_up_by_link(laptop, stack.mailbox, email, password, "/api/auth")
    assert phone.post("/api/auth/signin", json={"email": email, "password": password}).is_success
    assert all(phone.get(path).status_code == 200 for path in READS)

    assert laptop.post("/api/auth/signout/everywhere").status_code == 204
    for path in READS:
        answer = phone.get(path)
        assert (answer.status_code, answer.json()) == (401, ENDED), path
    upload = phone.post("/api/approval/uploads", files={"files": ("a.jpg", b"\xff\xd8" * 1000)})
    assert upload.status_code == 401
    anonymous = browser(stack).post("/api/approval/uploads", content=iter([b"x" * 65536] * 800))
    assert (anonymous.status_code, anonymous.json()) == (401, ENDED)  # 50 MB chunked: not a 502

    again = phone.post("/api/auth/signin", json={"email": email, "password": password})
    assert again.status_code == 200 and phone.get(READS[0]).status_code == 200


def test_signing_out_ends_that_session_only(stack: Stack) -> None:
    email, password = f"user-{uuid.uuid4().hex[:10]}@example.com", "correct horse"
    laptop, phone = browser(stack), browser(stack)
    sign_up_by_link(laptop, stack.mailbox, email, password, "/api/auth")
    assert phone.post("/api/auth/signin", json={"email": email, "password": password}).is_success
    stale = dict(laptop.cookies)
    assert laptop.post("/api/auth/signout").status_code == 204
    replayed = browser(stack)
    replayed.cookies.update(stale)  # the cookie someone copied before the sign-out
    assert replayed.get(READS[0]).status_code == 401
    assert phone.get(READS[0]).status_code == 200
