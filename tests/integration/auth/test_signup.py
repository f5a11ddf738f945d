"""Sign-up tells nobody whether an address is registered: the answer is the same, and the link
that finishes signing up (or a note that there is an account) goes to the address's mailbox."""

from __future__ import annotations

import json
import uuid

from gatepost_devstack.stack import signup_token
from tests.integration.auth.conftest import AuthWorld, client, signed_up


def mails_to(auth_world: AuthWorld, email: str) -> list[dict[str, str]]:
    lines = auth_world.mailbox.read_text().splitlines()
    return [mail for mail in map(json.loads, lines) if mail["to"] == email]


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(
    auth_world: AuthWorld,
) -> None:
    taken = signed_up(auth_world).get("/me").json()["email"]
    free = f"new-{uuid.uuid4().hex[:8]}@example.com"
    answers = []
    for email in (taken, free):
        http = client(auth_world.replicas[0])
        answer = http.post("/signup", json={"email": email, "password": "another password"})
        answers.append((answer.status_code, answer.json(), dict(http.cookies)))
    (taken_status, taken_body, taken_cookies), (free_status, free_body, free_cookies) = answers
    assert (taken_status, taken_body, taken_cookies) == (free_status, free_body, free_cookies)
    assert taken_status == 202 and taken_cookies == {}  # no session before the mail's link
    # only the mailbox learns which it was
    assert mails_to(auth_world, taken)[-1]["subject"] == "You already have a Gatepost account"
    assert "#confirm=" not in mails_to(auth_world, taken)[-1]["text"]
    assert mails_to(auth_world, free)[-1]["subject"] == "Finish signing up to Gatepost"


def test_the_link_signs_up_once_and_not_after_it_expired(auth_world: AuthWorld) -> None:
    email = f"link-{uuid.uuid4().hex[:8]}@example.com"
    http = client(auth_world.replicas[0])
    http.post("/signup", json={"email": email, "password": "correct horse"})
    token = signup_token(auth_world.mailbox, email)
    confirmed = http.post("/signup/confirm", json={"token": token})
    assert confirmed.status_code == 201 and confirmed.json()["email"] == email
    assert http.get("/me").json()["email"] == email
    assert (
        client(auth_world.replicas[1]).post("/signup/confirm", json={"token": token}).status_code
        == 404
    )
    signed_in = client(auth_world.replicas[0]).post(
        "/signin", json={"email": email, "password": "correct horse"}
    )
    assert signed_in.status_code == 200

    late = f"late-{uuid.uuid4().hex[:8]}@example.com"
    client(auth_world.replicas[0]).post(
        "/signup", json={"email": late, "password": "correct horse"}
    )
    auth_world.advance(25 * 3600)  # links work for 24 hours
    expired = client(auth_world.replicas[0]).post(
        "/signup/confirm", json={"token": signup_token(auth_world.mailbox, late)}
    )
    assert expired.status_code == 404 and "expired" in expired.json()["detail"]
