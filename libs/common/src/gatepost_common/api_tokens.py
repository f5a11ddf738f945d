"""Personal API tokens, as every service sees them: a bearer credential `gpt_<id>_<secret>` that
auth made for one person with a few scopes. A service never reads auth's database: it asks auth
(`POST /internal/api-tokens/check`) on every call, so a revoked token is refused at once, and
auth audits each use with the token's name and keeps its per-token rate limit.

A route opts in with one of the aliases below (`PostsEditor`, …) in place of `CurrentUser`; any
route that keeps `CurrentUser` refuses a token (it is no session), so approving, publishing again,
accounts and sign-in stay a person's, in the browser, with the CSRF token. A service that wants
a token's scope without a route dependency calls `holder_of(request, Scope.X)`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Protocol

import httpx
from fastapi import Depends, HTTPException, Request, status

from gatepost_common.provided import given
from gatepost_common.sessions import SessionKey, User, signed_in

TOKEN_PREFIX = "gpt_"
TOKEN_MOST_CHARS = 200  # what auth's token check takes
API_PREFIX = "/v1/"  # a service's routes open to tokens; the gateway serves them at /api/v1/
CHECKED = "api_token_checked"  # request.state: (token, scope, holder) once auth said yes


class Scope(StrEnum):
    TOPICS_WRITE = "topics:write"
    POSTS_READ = "posts:read"
    POSTS_EDIT = "posts:edit"
    INSIGHTS_READ = "insights:read"
    WEBHOOKS_MANAGE = "webhooks:manage"


@dataclass(frozen=True)
class TokenHolder:
    """Who a token speaks for, and which token it is (its name is what the audit shows)."""

    user: User
    token_id: str
    name: str
    scopes: frozenset[Scope]


class TokenChecks(Protocol):
    async def check(self, token: str, scope: Scope | None, method: str, path: str) -> TokenHolder:
        """The token's holder if it is live and has `scope` (None: any), the use audited;
        otherwise an HTTPException: 401 unknown, expired or revoked, 403 without the scope,
        429 too fast."""
        ...


class AuthTokenChecks:
    """Asks auth over its internal route (a client signed as this service)."""

    def __init__(self, auth: httpx.AsyncClient, service: str) -> None:
        self.auth, self.service = auth, service

    async def check(self, token: str, scope: Scope | None, method: str, path: str) -> TokenHolder:
        answer = await self.auth.post(
            "/internal/api-tokens/check",
            json={
                "token": token,
                "scope": scope.value if scope else None,
                "method": method,
                "path": path,
                "service": self.service,
            },
        )
        if answer.status_code in (401, 403, 429):
            retry = answer.headers.get("retry-after")
            raise HTTPException(
                answer.status_code,
                answer.json().get("detail", "token refused"),
                headers={"Retry-After": retry} if retry else None,
            )
        if answer.status_code != 200:  # auth failing, or refusing the question itself
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "API tokens cannot be checked right now: try again shortly",
                headers={"Retry-After": "5"},
            )
        body: dict[str, Any] = answer.json()
        return TokenHolder(
            user=User(id=body["user_id"], email=body["email"]),
            token_id=body["token_id"],
            name=body["name"],
            scopes=frozenset(Scope(s) for s in body["scopes"]),
        )


def bearer_api_token(request: Request) -> str | None:
    """The personal API token the request carries as its bearer credential, if any."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer ":
        return None
    token = header[7:].strip()
    if not token.startswith(TOKEN_PREFIX):
        return None
    if len(token) > TOKEN_MOST_CHARS:  # no token Gatepost makes is this long
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "this API token is unknown")
    return token


async def holder_of(request: Request, scope: Scope | None) -> TokenHolder:
    """The request's token holder, checked by auth for `scope` (None: any live token; 401
    without a token). A service that checks a scope itself (webhooks:manage) calls this."""
    token = bearer_api_token(request)
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a personal API token is required")
    asked = getattr(request.state, CHECKED, None)  # the door asked already, before the body
    if asked is not None and asked[:2] == (token, scope):
        holder: TokenHolder = asked[2]
        return holder
    checks: TokenChecks | None = getattr(request.app.state, "provided", {}).get(TokenChecks)
    if checks is None:  # a service that takes no tokens
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "API tokens are not accepted here")
    route = getattr(request.scope.get("route"), "path", request.url.path)
    holder = await checks.check(token, scope, request.method, route)
    setattr(request.state, CHECKED, (token, scope, holder))  # one check (and audit entry) a call
    return holder


def person_or_token(scope: Scope) -> Any:
    """The dependency of a route open to API tokens with `scope`: the user of the token, or of
    the browser session (with its CSRF token) when no token is sent."""

    async def dependency(request: Request, key: Annotated[SessionKey, given(SessionKey)]) -> User:
        if bearer_api_token(request) is None:
            return signed_in(request, key)
        if not getattr(request.scope.get("route"), "path", "").startswith(API_PREFIX):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "API tokens are taken under /api/v1/ only"
            )
        return (await holder_of(request, scope)).user

    dependency.__name__ = f"person_or_token_{scope.name.lower()}"
    # the door (gatepost_common.door) runs this same check before the route's body is read
    dependency.__dict__["takes_api_tokens"] = scope
    return Depends(dependency)


# a route's `user: PostsEditor` is the person, signed in or through a token with that scope
TopicsWriter = Annotated[User, person_or_token(Scope.TOPICS_WRITE)]
PostsReader = Annotated[User, person_or_token(Scope.POSTS_READ)]
PostsEditor = Annotated[User, person_or_token(Scope.POSTS_EDIT)]
InsightsReader = Annotated[User, person_or_token(Scope.INSIGHTS_READ)]
WebhooksManager = Annotated[User, person_or_token(Scope.WEBHOOKS_MANAGE)]
