"""Through the gateway, on the real stack: "sign out everywhere" and a password change end a
person's other sessions at once on every service (auth answers the gateway's question before any
service sees the request), and the stale cookie does not stop a new sign-in."""

from __future__ import annotations

import json
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


def test_a_password_change_ends_every_other_session_and_the_old_password(stack: Stack) -> None:
    email, password, new = f"user-{uuid.uuid4().hex[:10]}@example.com", "correct horse", "staple 9"
    laptop, phone = browser(stack), browser(stack)
    sign_up_by_link(laptop, stack.mailbox, email, password, "/api/auth")
    assert phone.post("/api/auth/signin", json={"email": email, "password": password}).is_success
    stale = dict(laptop.cookies)

    change = {"current_password": password, "new_password": new}
    changed = laptop.post("/api/auth/me/password", json=change)
    assert changed.status_code == 200, changed.text
    for path in READS:
        answer = phone.get(path)
        assert (answer.status_code, answer.json()) == (401, ENDED), path
        assert laptop.get(path).status_code == 200, path  # this browser's new session
    copied = browser(stack)
    copied.cookies.update(stale)  # the laptop's cookie from before the change
    assert copied.get(READS[0]).status_code == 401

    old = phone.post("/api/auth/signin", json={"email": email, "password": password})
    assert old.status_code == 401
    again = phone.post("/api/auth/signin", json={"email": email, "password": new})
    assert again.status_code == 200 and phone.get(READS[0]).status_code == 200
    mailed = [json.loads(line) for line in stack.mailbox.read_text().splitlines()]
    told = [m for m in mailed if m["to"] == email and "password was changed" in m["subject"]]
    assert len(told) == 1 and new not in told[0]["text"]


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


def test_the_session_check_does_not_weigh_a_large_body_the_route_takes(stack: Stack) -> None:
    """The gateway's question about the session is a subrequest of headers only: a signed-in
    person's 3 MB upload (over the 1 MB of JSON elsewhere, under the route's limit) reaches
    approval, which judges it; nginx once weighed it against the subrequest's 1 MB (a 500)."""
    email, password = f"user-{uuid.uuid4().hex[:10]}@example.com", "correct horse"
    person = browser(stack)
    sign_up_by_link(person, stack.mailbox, email, password, "/api/auth")
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (3 * 1024 * 1024)  # not a picture, but big
    upload = person.post(
        "/api/approval/uploads",
        data={"title": "Big", "caption": "", "account_id": "none"},
        files={"files": ("big.jpg", big, "image/jpeg")},
    )
    assert upload.status_code < 500, upload.text
    assert upload.status_code != 413
    rows = "text,account_id\n" + "".join(f"topic {i} {'x' * 60},acc\n" for i in range(30_000))
    assert 1_000_000 < len(rows) < 5_000_000
    imported = person.post(
        "/api/generator/topics/bulk", files={"file": ("topics.csv", rows, "text/csv")}
    )
    assert imported.status_code < 500 and imported.status_code != 413, imported.text
