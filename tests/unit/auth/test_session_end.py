"""Sessions can be ended: sign-out ends this one, "sign out everywhere" all of a person's, and
the gateway's question (`GET /session/check`) answers 401 for an ended session from then on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import httpx
import jwt

from gatepost_auth.handlers import Auth
from gatepost_auth.session_routes import router
from gatepost_auth.session_store import Sessions
from gatepost_common.sessions import User, issue_session
from tests.unit.asgi import SESSION_PRIVATE, served

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


class FakeSessions:
    def __init__(self) -> None:
        self.kept: dict[str, dict[str, Any]] = {}

    async def start(self, sid: str, user_id: str, now: datetime, expires_at: datetime) -> None:
        self.kept[sid] = {"user_id": user_id, "expires_at": expires_at, "ended_at": None}

    async def end(self, sid: str, user_id: str, now: datetime) -> None:
        if sid in self.kept and self.kept[sid]["user_id"] == user_id:
            self.kept[sid]["ended_at"] = self.kept[sid]["ended_at"] or now

    async def end_all(self, user_id: str, now: datetime) -> int:
        mine = [s for s in self.kept.values() if s["user_id"] == user_id and not s["ended_at"]]
        for session in mine:
            session["ended_at"] = now
        return len(mine)

    async def is_live(self, sid: str, now: datetime) -> bool:
        found = self.kept.get(sid)
        return found is not None and found["ended_at"] is None and found["expires_at"] > now


def client(kept: FakeSessions) -> httpx.AsyncClient:
    auth = cast(Auth, SimpleNamespace(clock=SimpleNamespace(now=lambda: NOW)))
    return served([router], {Sessions: kept, Auth: auth})


async def signed_in(kept: FakeSessions, user_id: str) -> dict[str, str]:
    session = issue_session(SESSION_PRIVATE, User(user_id, f"{user_id}@x.org"), timedelta(hours=12))
    await kept.start(session.id, user_id, NOW, NOW + timedelta(hours=12))
    return {"Authorization": f"Bearer {session.token}"}


async def checked(http: httpx.AsyncClient, headers: dict[str, str], uri: str = "/x") -> int:
    answer = await http.get("/session/check", headers=headers | {"X-Original-URI": uri})
    return answer.status_code


async def test_sign_out_ends_this_session_only() -> None:
    kept = FakeSessions()
    laptop, phone = await signed_in(kept, "u1"), await signed_in(kept, "u1")
    async with client(kept) as http:
        assert await checked(http, laptop) == 204
        assert (await http.post("/signout", headers=laptop)).status_code == 204
        assert await checked(http, laptop) == 401
        assert await checked(http, phone) == 204


async def test_sign_out_everywhere_ends_every_session_of_that_person_and_no_one_else() -> None:
    kept = FakeSessions()
    laptop, phone, other = [await signed_in(kept, u) for u in ("u1", "u1", "u2")]
    async with client(kept) as http:
        assert (await http.post("/signout/everywhere", headers=phone)).status_code == 204
        assert [await checked(http, h) for h in (laptop, phone, other)] == [401, 401, 204]
        refused = await http.get("/session/check", headers=laptop)
        assert refused.json() == {"detail": "this session has ended: sign in again"}


async def test_where_the_gateway_requires_a_session_none_is_refused() -> None:
    """Uploads: refused at the gateway before their body is accepted (approval hanging up on a
    body it will not read made nginx answer 502)."""
    async with client(FakeSessions()) as http:
        required = {"X-Session-Required": "yes"}
        assert await checked(http, required, "/api/approval/uploads") == 401
        assert await checked(http, {"X-Session-Required": "no"}) == 204


async def test_the_check_leaves_requests_without_a_session_to_the_route() -> None:
    kept = FakeSessions()
    async with client(kept) as http:
        assert await checked(http, {}) == 204
        assert await checked(http, {"Authorization": "Bearer not-a-token"}) == 401
        ended = await signed_in(kept, "u1")
        await kept.end_all("u1", NOW)
        # a stale cookie must not stop a person signing in again
        assert await checked(http, ended, "/api/auth/signin") == 204
        assert await checked(http, ended, "/api/generator/topics") == 401


async def test_a_session_issued_before_sessions_had_ids_lives_until_it_expires() -> None:
    claims = {"sub": "u1", "iss": "gatepost-auth", "aud": "gatepost", "exp": NOW + timedelta(1)}
    old = jwt.encode(claims, SESSION_PRIVATE, algorithm="EdDSA")
    async with client(FakeSessions()) as http:
        assert await checked(http, {"Authorization": f"Bearer {old}"}) == 204


async def test_each_issued_session_has_its_own_id() -> None:
    user = User("u1", "u1@x.org")
    ids = {issue_session(SESSION_PRIVATE, user, timedelta(1)).id for _ in range(20)}
    assert len(ids) == 20 and all(len(i) >= 20 for i in ids)


async def test_a_personal_api_token_is_left_to_the_route_s_own_token_check() -> None:
    """The gateway asks about sessions on /api/v1/ too: a personal API token is no session
    (auth checks it, scope and revocation, when the route's service asks), so it passes here,
    where a bearer that is neither is refused."""
    async with client(FakeSessions()) as http:
        token = {"Authorization": "Bearer gpt_abc123_secretsecret"}
        assert await checked(http, token, "/api/v1/posts") == 204
        assert await checked(http, {"Authorization": "Bearer gpx_abc"}, "/api/v1/posts") == 401


async def test_a_path_that_only_starts_like_sign_in_is_asked_about_as_any_other() -> None:
    """nginx routes on the path with `..` and %2F resolved: /api/auth/signin/../../approval/…
    reaches approval, so an ended session sent there is refused like anywhere else."""
    kept = FakeSessions()
    ended = await signed_in(kept, "u1")
    await kept.end_all("u1", NOW)
    async with client(kept) as http:
        for sneaked in (
            "/api/auth/signin/../../approval/posts/p1/approve",
            "/api/auth/signin%2F..%2F..%2Fapproval/posts/p1/approve",
            "/api/auth/signup/..%2f..%2fapproval/posts/p1/approve?x=1",
            "/api/auth//signin/../../approval/posts/p1/approve",
        ):
            assert await checked(http, ended, sneaked) == 401, sneaked
        for signing_in in ("/api/auth/signin", "/api/auth/signup/confirm", "/api/auth/signin?x=1"):
            assert await checked(http, ended, signing_in) == 204, signing_in
