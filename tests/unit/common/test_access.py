"""gatepost_common.access: an internal route opens only to the services its table names, with a
valid token for that one request, taken once (docs/architecture.md shows the table:
tests/unit/contracts keeps them equal)."""

from __future__ import annotations

import time
from typing import Any, cast

import httpx
import jwt
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from gatepost_common.access import (
    INTERNAL,
    SERVICE_TOKEN_HEADER,
    TOKEN_LIFETIME_S,
    CallerKeys,
    ServiceAuth,
    service_token,
)
from gatepost_common.provided import provide
from gatepost_common.signing import generate_keypair
from gatepost_common.token_replays import (
    KEEP_AFTER_EXPIRY_S,
    SEEN_TOKENS,
    MongoSeenTokens,
    SeenInMemory,
)
from tests.unit.asgi import served
from tests.unit.memory import MemoryDatabase


@pytest.fixture
def app() -> tuple[TestClient, dict[str, str]]:
    keys = {name: generate_keypair() for name in ("generator", "publisher")}
    service = provide(
        FastAPI(), {CallerKeys: CallerKeys("auth", {name: p[1] for name, p in keys.items()})}
    )
    dependency = INTERNAL

    @service.post("/internal/accounts/{account_id}/token", dependencies=[dependency])
    async def token(account_id: str) -> dict[str, str]:
        return {"account_id": account_id}

    @service.post("/internal/not-in-the-table", dependencies=[dependency])
    async def unlisted() -> dict[str, str]:
        return {}

    @service.get("/internal/users/{user_id}/accounts/{account_id}", dependencies=[dependency])
    async def ownership(user_id: str, account_id: str) -> dict[str, str]:
        return {"user_id": user_id, "account_id": account_id}

    return TestClient(service), {name: pair[0] for name, pair in keys.items()}


TOKEN_ROUTE = "/internal/accounts/a1/token"


def header(
    key: str,
    issuer: str,
    audience: str = "auth",
    at: float | None = None,
    method: str = "POST",
    path: str = TOKEN_ROUTE,
) -> dict[str, str]:
    token = service_token(key, issuer, audience, at or time.time(), method=method, path=path)
    return {SERVICE_TOKEN_HEADER: token}


def test_a_route_opens_to_the_callers_the_table_names_and_no_one_else(app: Any) -> None:
    client, keys = app
    url = "/internal/accounts/a1/token"
    assert client.post(url, headers=header(keys["publisher"], "publisher")).status_code == 200
    assert client.post(url, headers=header(keys["generator"], "generator")).status_code == 403
    # a route the table does not name is closed to everyone
    unlisted = client.post(
        "/internal/not-in-the-table",
        headers=header(keys["publisher"], "publisher", path="/internal/not-in-the-table"),
    )
    assert unlisted.status_code == 403


def test_forged_expired_or_misaddressed_tokens_are_refused(app: Any) -> None:
    client, keys = app
    url = "/internal/accounts/a1/token"
    refused = [
        {},
        {SERVICE_TOKEN_HEADER: "not a token"},
        header(keys["generator"], "publisher"),  # the publisher's name, the generator's key
        header(keys["publisher"], "publisher", audience="media"),
        header(keys["publisher"], "publisher", at=time.time() - 300),
        header(keys["publisher"], "publisher", at=time.time() - TOKEN_LIFETIME_S - 2),
        header(keys["publisher"], "nobody-we-know"),
        # unsigned ("alg": "none") tokens are never accepted
        {
            SERVICE_TOKEN_HEADER: jwt.encode(
                {"iss": "publisher", "aud": "auth"}, None, algorithm="none"
            )
        },
    ]
    for headers in refused:
        assert client.post(url, headers=headers).status_code == 401, headers


def test_a_token_opens_only_the_method_and_path_it_was_signed_for(app: Any) -> None:
    client, keys = app
    ownership = "/internal/users/u1/accounts/a1"
    for_get = header(keys["publisher"], "publisher", method="GET", path=ownership)
    # the token route's POST, with a token for a GET of the ownership route
    assert client.post(TOKEN_ROUTE, headers=for_get).status_code == 401
    # a GET of another path of the same route
    answer = client.get("/internal/users/u2/accounts/a1", headers=for_get)
    assert answer.status_code == 401 and "another request" in answer.json()["detail"]
    for_post = header(keys["publisher"], "publisher", method="POST", path=ownership)
    assert client.get(ownership, headers=for_post).status_code == 401
    assert client.get(ownership, headers=for_get).status_code == 200


def test_a_token_is_taken_once(app: Any) -> None:
    client, keys = app
    token = header(keys["publisher"], "publisher")
    assert client.post(TOKEN_ROUTE, headers=token).status_code == 200
    replayed = client.post(TOKEN_ROUTE, headers=token)
    assert replayed.status_code == 401 and "used before" in replayed.json()["detail"]
    # a fresh token for the same request is fine
    fresh = header(keys["publisher"], "publisher")
    assert client.post(TOKEN_ROUTE, headers=fresh).status_code == 200


def test_a_token_without_its_request_or_id_is_refused(app: Any) -> None:
    """Tokens of the old shape (bound to no request, no id) open nothing."""
    client, keys = app
    now = int(time.time())
    old = {"iss": "publisher", "aud": "auth", "iat": now, "exp": now + 120}
    token = jwt.encode(old, keys["publisher"], algorithm="EdDSA")
    assert client.post(TOKEN_ROUTE, headers={SERVICE_TOKEN_HEADER: token}).status_code == 401


async def test_the_service_auth_signs_each_request_afresh() -> None:
    """Every call of an internal client carries its own token, for its own method and path."""
    key, public = generate_keypair()
    sent: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        token = request.headers[SERVICE_TOKEN_HEADER]
        sent.append(jwt.decode(token, public, algorithms=["EdDSA"], audience="auth"))
        return httpx.Response(200)

    transport = httpx.MockTransport(answer)
    auth = ServiceAuth("publisher", key, "auth")
    async with httpx.AsyncClient(transport=transport, auth=auth, base_url="http://auth") as http:
        await http.get("/internal/a?x=1")
        await http.get("/internal/a")
        await http.post("/internal/b", json={})
    assert [(c["htm"], c["htp"]) for c in sent] == [
        ("GET", "/internal/a"),
        ("GET", "/internal/a"),
        ("POST", "/internal/b"),
    ]
    assert len({c["jti"] for c in sent}) == 3
    assert all(c["exp"] - c["iat"] == TOKEN_LIFETIME_S <= 30 for c in sent)


async def test_the_replay_store_refuses_a_second_use_and_forgets_long_expired_tokens() -> None:
    """One insert per token (the unique `_id` decides); records of tokens expired long ago are
    swept, those of live ones never."""
    collection = MemoryDatabase()[SEEN_TOKENS]
    seen = MongoSeenTokens(cast(Any, collection), sweep_every=2)
    now = time.time()
    assert await seen.first_use("old", now - KEEP_AFTER_EXPIRY_S - 60)
    assert await seen.first_use("live", now + TOKEN_LIFETIME_S)  # the second: a sweep
    assert not await seen.first_use("live", now + TOKEN_LIFETIME_S)
    assert [d["_id"] async for d in collection.find({})] == ["live"]


class Ask(BaseModel):
    user_id: str


body_router = APIRouter(dependencies=[INTERNAL])


@body_router.post("/internal/accounts/{account_id}/token")
async def with_a_body(account_id: str, ask: Ask) -> dict[str, str]:
    return {"account_id": account_id, "user_id": ask.user_id}


async def test_a_route_with_a_body_takes_its_token_once_though_door_and_route_both_check() -> None:
    """The door checks the token before the body is read, the route's dependency after: the
    request's own token is not a replay to the second check, a replay is refused by the first."""
    key, public = generate_keypair()
    callers = CallerKeys("auth", {"publisher": public})
    token = {
        SERVICE_TOKEN_HEADER: service_token(
            key, "publisher", "auth", time.time(), method="POST", path=TOKEN_ROUTE
        )
    }
    async with served([body_router], {CallerKeys: callers}) as http:
        answer = await http.post(TOKEN_ROUTE, json={"user_id": "u1"}, headers=token)
        assert answer.status_code == 200 and answer.json()["user_id"] == "u1"
        replayed = await http.post(TOKEN_ROUTE, json={"user_id": "u1"}, headers=token)
        assert replayed.status_code == 401
    assert isinstance(callers.seen, SeenInMemory) and len(callers.seen.seen) == 1
