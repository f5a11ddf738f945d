"""A password change (`POST /me/password`) ends every session of the person: the gateway's
question (`GET /session/check`) refuses every other browser's cookie from then on, this browser
gets a new session, and the old password no longer signs in. The current password is asked for
and counted as sign-in attempts are; a personal API token never changes a password. The person
is mailed about a change."""

from __future__ import annotations

from datetime import timedelta

import httpx
from argon2 import PasswordHasher

from gatepost_auth.bootstrap import build
from gatepost_auth.handlers import Auth
from gatepost_auth.session_routes import router as session_router
from gatepost_auth.session_store import MongoSessions, Sessions
from gatepost_auth.settings import Settings
from gatepost_auth.user_routes import router as user_router
from gatepost_common.sessions import CSRF_COOKIE, SESSION_COOKIE, User, issue_session
from tests.unit.asgi import SESSION_PRIVATE, SESSION_PUBLIC, served
from tests.unit.auth.test_review_mail import settings as review_settings
from tests.unit.auth.test_tokens import FakeClock, Outbox
from tests.unit.memory import MemoryDatabase

EMAIL, OLD, NEW = "pat@example.com", "old password 1", "new password 2"


class World:
    def __init__(self) -> None:
        self.db, self.clock = MemoryDatabase(), FakeClock()
        settings: Settings = review_settings().model_copy(
            update={"session_private_key": SESSION_PRIVATE, "session_public_key": SESSION_PUBLIC}
        )
        self.outbox = Outbox()
        self.auth = build(settings, self.db, httpx.AsyncClient(), self.clock, self.outbox)
        self.sessions = MongoSessions(self.db)

    async def person(self, user_id: str = "u1", email: str = EMAIL) -> None:
        digest = PasswordHasher().hash(OLD)
        await self.auth.users.add(user_id, email, digest, self.clock.now())

    async def signed_in(self, user_id: str = "u1", email: str = EMAIL) -> dict[str, str]:
        """A browser's session (cookie and its CSRF echo), recorded so that it can end."""
        session = issue_session(SESSION_PRIVATE, User(user_id, email), timedelta(hours=12))
        now = self.clock.now()
        await self.sessions.start(session.id, user_id, now, now + timedelta(hours=12))
        return {
            "Cookie": f"{SESSION_COOKIE}={session.token}; {CSRF_COOKIE}={session.csrf}",
            "X-CSRF-Token": session.csrf,
        }

    def client(self) -> httpx.AsyncClient:
        things = {Auth: self.auth, Sessions: self.sessions}
        return served([user_router, session_router], things)


async def checked(http: httpx.AsyncClient, headers: dict[str, str]) -> int:
    """The gateway's question about a request's session."""
    answer = await http.get(
        "/session/check", headers=headers | {"X-Original-URI": "/api/generator/topics"}
    )
    return answer.status_code


def change(current: str = OLD, new: str = NEW) -> dict[str, str]:
    return {"current_password": current, "new_password": new}


def new_session(answer: httpx.Response) -> dict[str, str]:
    """The browser's headers with the cookies the answer set."""
    token, csrf = answer.cookies[SESSION_COOKIE], answer.cookies[CSRF_COOKIE]
    return {"Cookie": f"{SESSION_COOKIE}={token}; {CSRF_COOKIE}={csrf}", "X-CSRF-Token": csrf}


async def test_a_password_change_ends_every_other_session_and_the_old_password() -> None:
    w = World()
    await w.person()
    await w.person("u2", "someone@example.com")
    laptop, phone, tablet = [await w.signed_in() for _ in range(3)]
    someone_else = await w.signed_in("u2", "someone@example.com")
    async with w.client() as http:
        assert [await checked(http, h) for h in (laptop, phone, tablet)] == [204, 204, 204]
        answer = await http.post("/me/password", json=change(), headers=laptop)
        assert answer.status_code == 200, answer.text
        assert answer.json()["user_id"] == "u1" and answer.json()["email"] == EMAIL
        # every other browser is refused at the gateway, and this one's old cookie too
        assert [await checked(http, h) for h in (phone, tablet, laptop)] == [401, 401, 401]
        refused = await http.get("/session/check", headers=phone)
        assert refused.json() == {"detail": "this session has ended: sign in again"}
        # this browser goes on with the session the answer set; no one else's ended
        assert await checked(http, new_session(answer)) == 204
        assert (await http.get("/me", headers=new_session(answer))).status_code == 200
        assert await checked(http, someone_else) == 204
        # the old password signs in no more, the new one does
        old = await http.post("/signin", json={"email": EMAIL, "password": OLD})
        assert (old.status_code, old.json()) == (401, {"detail": "wrong e-mail or password"})
        signed = await http.post("/signin", json={"email": EMAIL, "password": NEW})
        assert signed.status_code == 200
    # the person is told by mail, in case it was not them
    [mail] = w.outbox.sent
    assert (mail.to, mail.subject) == (EMAIL, "Your Gatepost password was changed")
    assert NEW not in mail.text and "signed out" in mail.text


async def test_the_current_password_is_asked_for_and_guesses_are_counted() -> None:
    w = World()
    await w.person()
    laptop, phone = await w.signed_in(), await w.signed_in()
    async with w.client() as http:
        wrong = await http.post("/me/password", json=change("not it at all"), headers=laptop)
        assert (wrong.status_code, wrong.json()) == (
            403,
            {"detail": "that is not your current password"},
        )
        assert await checked(http, phone) == 204  # nothing ended
        for _ in range(4):  # five failures in all: as many as sign-in allows
            await http.post("/me/password", json=change("guess again"), headers=laptop)
        paused = await http.post("/me/password", json=change(), headers=laptop)
        assert paused.status_code == 429 and "Retry-After" in paused.headers
        assert await checked(http, phone) == 204
        old = await http.post("/signin", json={"email": EMAIL, "password": OLD})
        assert old.status_code == 429  # the same count as sign-in's


async def test_the_new_password_follows_the_sign_up_rules_and_differs() -> None:
    w = World()
    await w.person()
    laptop = await w.signed_in()
    async with w.client() as http:
        short = await http.post("/me/password", json=change(new="short"), headers=laptop)
        assert short.status_code == 422
        assert "at least 8 characters" in short.json()["detail"][0]["msg"]
        same = await http.post("/me/password", json=change(new=OLD), headers=laptop)
        assert (same.status_code, same.json()) == (
            422,
            {"detail": "the new password is the current one: choose another"},
        )
        odd = await http.post("/me/password", json=change() | {"extra": 1}, headers=laptop)
        assert odd.status_code == 422
        assert await checked(http, laptop) == 204
    assert (await w.auth.users.by_id("u1") or {})["password_hash"].startswith("$argon2")
    assert w.outbox.sent == []


async def test_only_a_live_browser_session_with_its_csrf_echo_changes_a_password() -> None:
    w = World()
    await w.person()
    laptop = await w.signed_in()
    async with w.client() as http:
        without_echo = {"Cookie": laptop["Cookie"]}
        answer = await http.post("/me/password", json=change(), headers=without_echo)
        assert answer.status_code == 403 and "X-CSRF-Token" in answer.json()["detail"]
        token = {"Authorization": "Bearer gpt_abc123_secretsecretsecret"}
        assert (await http.post("/me/password", json=change(), headers=token)).status_code == 401
        assert (await http.post("/me/password", json=change())).status_code == 401
        await http.post("/signout", headers=laptop)
        ended = await http.post("/me/password", json=change(), headers=laptop)
        assert ended.status_code == 401
    old = await w.auth.sign_in(EMAIL, OLD)  # unchanged
    assert old.id == "u1" and w.outbox.sent == []
