"""Personal API tokens against the running stack: every route of every service's OpenAPI document
is called with a token of each scope (and one with all of them), and only the /v1/ routes the API
names take one, each for its scope; none of them approves, publishes again, touches an account
or a sign-in. A revoked token is refused on its very next call; the gateway serves the API at
/api/v1/."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

from gatepost_common.api_tokens import Scope
from gatepost_devstack.outside import signed_up
from gatepost_devstack.stack import Stack

SERVICES = ("auth", "generator", "approval", "publisher", "media")
# (method, path) → the scope that opens it to a token (None: any live token)
API_V1: dict[tuple[str, str], Scope | None] = {
    ("POST", "/v1/topics"): Scope.TOPICS_WRITE,
    ("POST", "/v1/topics/bulk"): Scope.TOPICS_WRITE,
    ("GET", "/v1/topics"): Scope.TOPICS_WRITE,
    ("GET", "/v1/topics/{topic_id}"): Scope.TOPICS_WRITE,
    ("GET", "/v1/imports/{import_id}"): Scope.TOPICS_WRITE,
    ("GET", "/v1/posts"): Scope.POSTS_READ,
    ("GET", "/v1/posts/{post_id}"): Scope.POSTS_READ,
    ("PATCH", "/v1/posts/{post_id}"): Scope.POSTS_EDIT,
    ("PUT", "/v1/posts/{post_id}/slides/{position}/text"): Scope.POSTS_EDIT,
    ("POST", "/v1/posts/{post_id}/slides/{position}/redraw"): Scope.POSTS_EDIT,
    ("PUT", "/v1/posts/{post_id}/cover"): Scope.POSTS_EDIT,
    ("PUT", "/v1/posts/{post_id}/order"): Scope.POSTS_EDIT,
    ("GET", "/v1/accounts/{account_id}/budget"): Scope.INSIGHTS_READ,
    ("GET", "/v1/insights/posts"): Scope.INSIGHTS_READ,
    ("GET", "/v1/insights/posts/{post_id}"): Scope.INSIGHTS_READ,
    ("GET", "/v1/insights/accounts/{account_id}"): Scope.INSIGHTS_READ,
    ("GET", "/v1/webhooks"): Scope.WEBHOOKS_MANAGE,
    ("POST", "/v1/webhooks"): Scope.WEBHOOKS_MANAGE,
    ("DELETE", "/v1/webhooks/{endpoint_id}"): Scope.WEBHOOKS_MANAGE,
    ("GET", "/v1/token"): None,
}
# what only a person in the browser may do: approve, publish again, reject, withdraw; connect,
# disconnect and style accounts; sign in, out and up; change the password; make and revoke tokens
PERSON_ONLY = re.compile(
    r"approve|publish-again|reject|withdraw|tiktok|^/accounts|/style|sign|/me$|/me/password"
    r"|api-tokens"
)


def make_token(client: httpx.Client, scopes: list[str], name: str) -> str:
    made = client.post("/api/auth/api-tokens", json={"name": name, "scopes": scopes, "days": 1})
    assert made.status_code == 201, made.text
    token: str = made.json()["token"]
    return token


def routes(stack: Stack) -> list[tuple[str, str, str]]:
    """(service, method, path) of every operation of every service's OpenAPI document."""
    found = []
    for service in SERVICES:
        port = getattr(stack.ports, service)
        document: dict[str, Any] = httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()
        for path, operations in document["paths"].items():
            found += [(service, method.upper(), path) for method in operations]
    return found


def filled(path: str) -> str:
    return re.sub(
        r"\{position\}", "0", re.sub(r"\{(?!position)[^}]+\}", "x" + uuid.uuid4().hex[:8], path)
    )


def call(stack: Stack, service: str, method: str, path: str, token: str | None) -> int:
    port = getattr(stack.ports, service)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.request(
        method, f"http://127.0.0.1:{port}{filled(path)}", headers=headers, json={}, timeout=30
    )
    return answer.status_code


def test_no_token_of_any_scope_can_approve_publish_or_touch_accounts_and_sign_in(
    stack: Stack,
) -> None:
    client, _, _ = signed_up(stack)
    scopes = [s.value for s in Scope]
    tokens = {s: make_token(client, [s], f"only {s}") for s in scopes}
    tokens["all"] = make_token(client, scopes, "every scope")
    every = routes(stack)
    assert len(every) > 40  # the walk saw the documents
    accepted: dict[str, set[tuple[str, str]]] = {name: set() for name in tokens}
    for service, method, path in every:
        if call(stack, service, method, path, None) != 401:
            continue  # needs nobody (sign-up, health, TikTok's webhooks): no one's to act as
        for name, token in tokens.items():
            if call(stack, service, method, path, token) not in (401, 403):
                accepted[name].add((method, path))
    for name in scopes:
        expected = {route for route, scope in API_V1.items() if scope in (Scope(name), None)}
        assert accepted[name] == expected, name
    assert accepted["all"] == set(API_V1)
    taken_by_any = set().union(*accepted.values())
    person_only = {(m, p) for _, m, p in every if PERSON_ONLY.search(p)}
    assert {
        ("POST", "/posts/{post_id}/approve"),
        ("POST", "/posts/{post_id}/publish-again"),
        ("DELETE", "/accounts/{account_id}"),
        ("POST", "/signout"),
        ("POST", "/me/password"),
    } <= person_only
    assert taken_by_any & person_only == set()  # 0 routes
    # and the same routes still refuse a token outside /v1/
    assert not any(path.startswith("/posts") for _, path in taken_by_any)


def test_a_revoked_token_is_refused_on_its_next_call_through_the_gateway(stack: Stack) -> None:
    client, _, _ = signed_up(stack)
    token = make_token(client, ["posts:read"], "to revoke")
    api = httpx.Client(base_url=f"{stack.gateway_url}/api/v1", timeout=30)
    api.headers["Authorization"] = f"Bearer {token}"
    assert api.get("/posts").status_code == 200
    assert api.get("/token").json()["name"] == "to revoke"
    token_id = api.get("/token").json()["token_id"]
    assert client.delete(f"/api/auth/api-tokens/{token_id}").status_code == 204
    refused = api.get("/posts")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    uses = client.get(f"/api/auth/api-tokens/{token_id}/uses").json()
    assert any(u["kind"] == "api_token.used" and u["detail"]["name"] == "to revoke" for u in uses)
