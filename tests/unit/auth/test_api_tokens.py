"""Personal API tokens over auth's real store (an in-memory database, a fake clock): shown once,
kept hashed, checked for scope, expiry and revocation on every use, each use audited with the
token's name, limited per token; only a person's session makes or revokes one; a service's route
takes a token only under /v1/ and only for the scope it names."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import APIRouter, HTTPException

from gatepost_auth.api_token_routes import LocalTokenChecks
from gatepost_auth.api_token_routes import router as token_routes
from gatepost_auth.api_tokens import MAX_LIVE_TOKENS, ApiTokens, audit_stream, token_hash
from gatepost_common.api_tokens import PostsEditor, Scope, TokenChecks
from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock
from gatepost_common.errors import RefusedInput
from gatepost_common.sessions import CurrentUser, User
from tests.unit.asgi import bearer, served
from tests.unit.memory import InterleavedDatabase, MemoryDatabase

USE = {"method": "GET", "path": "/v1/posts", "service": "approval"}


class FakeClock(Clock):
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 7, 9, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def store(per_minute: int = 100) -> tuple[ApiTokens, FakeClock, MemoryDatabase]:
    db, clock = MemoryDatabase(), FakeClock()
    return ApiTokens(db, AuditLog(db), clock, per_minute), clock, db  # type: ignore[arg-type]


async def test_token_is_kept_hashed_and_checked_for_scope_expiry_and_revocation() -> None:
    tokens, clock, db = store()
    ada = User("u-ada", "ada@example.com")
    made = await tokens.make(ada, "agent", [Scope.POSTS_READ], timedelta(days=1))
    kept = db.database["api_tokens"].find_one({"_id": made.document["_id"]})
    assert kept["sha256"] == token_hash(made.token) and made.token not in str(kept)
    holder = await tokens.check(made.token, Scope.POSTS_READ, USE)
    assert (holder.user, holder.name) == (ada, "agent")
    with pytest.raises(HTTPException) as wrong_scope:
        await tokens.check(made.token, Scope.POSTS_EDIT, USE)
    assert wrong_scope.value.status_code == 403
    with pytest.raises(HTTPException) as forged:
        await tokens.check(made.token[:-2] + "xx", Scope.POSTS_READ, USE)
    assert forged.value.status_code == 401
    clock.at += timedelta(days=1)
    with pytest.raises(HTTPException) as expired:
        await tokens.check(made.token, Scope.POSTS_READ, USE)
    assert expired.value.status_code == 401


async def test_every_use_is_audited_with_the_tokens_name() -> None:
    tokens, _, _ = store()
    made = await tokens.make(
        User("u-1", "a@b.co"), "nightly import", [Scope.TOPICS_WRITE], timedelta(days=3)
    )
    for _ in range(2):
        await tokens.check(made.token, Scope.TOPICS_WRITE, USE)
    entries = await tokens.audit.for_account(audit_stream(made.document["_id"]))
    used = [e for e in entries if e["kind"] == "api_token.used"]
    assert len(used) == 2
    assert all(e["detail"]["name"] == "nightly import" for e in used)
    assert used[0]["detail"]["path"] == "/v1/posts"


async def test_a_token_over_its_rate_limit_is_told_when_to_come_back() -> None:
    tokens, _, _ = store(per_minute=2)
    made = await tokens.make(User("u-1", "a@b.co"), "fast", [Scope.POSTS_READ], timedelta(days=3))
    for _ in range(2):
        await tokens.check(made.token, Scope.POSTS_READ, USE)
    with pytest.raises(HTTPException) as limited:
        await tokens.check(made.token, Scope.POSTS_READ, USE)
    assert limited.value.status_code == 429
    assert int((limited.value.headers or {})["Retry-After"]) >= 1


async def test_only_a_session_makes_lists_and_revokes_tokens_and_revoked_is_refused() -> None:
    tokens, _, _ = store()
    things = {ApiTokens: tokens, TokenChecks: LocalTokenChecks(tokens)}
    async with served([token_routes], things) as client:
        made = await client.post(
            "/api-tokens",
            json={"name": "agent", "scopes": ["posts:read", "posts:edit"], "days": 30},
            headers=bearer("u-ada"),
        )
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        as_token = {"Authorization": f"Bearer {token}"}
        listed = (await client.get("/api-tokens", headers=bearer("u-ada"))).json()
        assert [t["name"] for t in listed] == ["agent"] and "token" not in listed[0]
        assert "sha256" not in listed[0]
        # a token can neither make another token nor list or revoke one
        again = {"name": "x", "scopes": ["posts:read"], "days": 1}
        assert (await client.post("/api-tokens", json=again, headers=as_token)).status_code == 401
        assert (await client.get("/api-tokens", headers=as_token)).status_code == 401
        token_id = made.json()["token_id"]
        assert (await client.delete(f"/api-tokens/{token_id}", headers=as_token)).status_code == 401
        whoami = await client.get("/v1/token", headers=as_token)
        assert whoami.json()["name"] == "agent"
        # another person cannot revoke it
        assert (
            await client.delete(f"/api-tokens/{token_id}", headers=bearer("u-eve"))
        ).status_code == 404
        revoked = await client.delete(f"/api-tokens/{token_id}", headers=bearer("u-ada"))
        assert revoked.status_code == 204
        assert (await client.get("/v1/token", headers=as_token)).status_code == 401


async def test_a_new_token_needs_a_name_a_known_scope_and_an_expiry() -> None:
    tokens, _, _ = store()
    async with served([token_routes], {ApiTokens: tokens}) as client:
        for body in (
            {"name": " ", "scopes": ["posts:read"], "days": 30},
            {"name": "a", "scopes": ["posts:approve"], "days": 30},
            {"name": "a", "scopes": [], "days": 30},
            {"name": "a", "scopes": ["posts:read"], "days": 0},
            {"name": "a", "scopes": ["posts:read"], "days": 366},
            {"name": "a", "scopes": ["posts:read"]},
        ):
            answer = await client.post("/api-tokens", json=body, headers=bearer("u-1"))
            assert answer.status_code == 422, body


service_routes = APIRouter()


@service_routes.put("/v1/posts/{post_id}/cover")
@service_routes.put("/posts/{post_id}/cover")
async def cover(post_id: str, user: PostsEditor) -> dict[str, str]:
    return {"user": user.id}


@service_routes.post("/posts/{post_id}/approve")
async def approve(post_id: str, user: CurrentUser) -> dict[str, str]:
    return {"user": user.id}


async def test_a_service_takes_a_token_only_under_v1_and_only_in_scope() -> None:
    tokens, _, _ = store()
    ada = User("u-ada", "ada@example.com")
    editor = (await tokens.make(ada, "e", [Scope.POSTS_EDIT], timedelta(days=1))).token
    reader = (await tokens.make(ada, "r", [Scope.POSTS_READ], timedelta(days=1))).token
    async with served([service_routes], {TokenChecks: LocalTokenChecks(tokens)}) as client:

        def as_(token: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        ok = await client.put("/v1/posts/p1/cover", headers=as_(editor))
        assert ok.status_code == 200 and ok.json() == {"user": "u-ada"}
        assert (await client.put("/v1/posts/p1/cover", headers=as_(reader))).status_code == 403
        assert (await client.put("/posts/p1/cover", headers=as_(editor))).status_code == 401
        assert (await client.post("/posts/p1/approve", headers=as_(editor))).status_code == 401
        # a person's session still works on both
        assert (await client.put("/posts/p1/cover", headers=bearer("u-ada"))).status_code == 200


async def test_tokens_made_at_once_for_the_last_places_never_pass_the_cap() -> None:
    db, clock = InterleavedDatabase(), FakeClock()
    tokens = ApiTokens(db, AuditLog(db), clock, 100)  # type: ignore[arg-type]
    ada = User("u-ada", "ada@example.com")
    for n in range(MAX_LIVE_TOKENS - 3):
        await tokens.make(ada, f"old {n}", [Scope.POSTS_READ], timedelta(days=1))

    tried = await asyncio.gather(
        *(tokens.make(ada, f"new {n}", [Scope.POSTS_READ], timedelta(days=1)) for n in range(12)),
        return_exceptions=True,
    )

    made = [t for t in tried if not isinstance(t, BaseException)]
    assert all(isinstance(t, RefusedInput) for t in tried if isinstance(t, BaseException))
    live = db.database["api_tokens"].count_documents({"revoked_at": None})
    assert live <= MAX_LIVE_TOKENS and live == MAX_LIVE_TOKENS - 3 + len(made)
    while live < MAX_LIVE_TOKENS:  # a refusal in the race was only that: the places are there
        await tokens.make(ada, f"later {live}", [Scope.POSTS_READ], timedelta(days=1))
        live += 1
    with pytest.raises(RefusedInput, match=f"at most {MAX_LIVE_TOKENS} live tokens"):
        await tokens.make(ada, "one too many", [Scope.POSTS_READ], timedelta(days=1))
