"""HTTP routes of personal API tokens: a person makes, lists and revokes them in the browser (a
session with its CSRF token: a token can never make or revoke a token); other services check
one on each call through the internal route; `GET /v1/token` tells a token who it is."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gatepost_auth.api_tokens import ApiTokens
from gatepost_common.access import INTERNAL
from gatepost_common.api_tokens import TOKEN_MOST_CHARS, Scope, TokenHolder, holder_of
from gatepost_common.provided import given
from gatepost_common.sessions import CurrentUser

Tokens = Annotated[ApiTokens, given(ApiTokens)]


class NewToken(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "research agent", "scopes": ["topics:write", "posts:read"], "days": 30}
            ]
        },
    )
    name: Annotated[str, Field(min_length=1, max_length=80)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=5)]
    days: Annotated[int, Field(ge=1, le=365, description="the token expires after these days")]

    @field_validator("name")
    @classmethod
    def _named(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("give the token a name")
        return name.strip()


class TokenView(BaseModel):
    token_id: str
    name: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class MadeTokenView(TokenView):
    token: str = Field(description="shown this once: Gatepost keeps only its hash")


class TokenUse(BaseModel):
    at: str
    kind: str
    detail: dict[str, str]


class TokenCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, Field(max_length=TOKEN_MOST_CHARS)]
    scope: Scope | None = None  # None: any live token
    method: Annotated[str, Field(max_length=10)]
    path: Annotated[str, Field(max_length=300)]
    service: Annotated[str, Field(max_length=40)]


class Holder(BaseModel):
    user_id: str
    email: str
    token_id: str
    name: str
    scopes: list[Scope]


router = APIRouter(tags=["api tokens"])
internal_router = APIRouter(tags=["internal"], dependencies=[INTERNAL])


def view(document: dict[str, object]) -> dict[str, object]:
    return {**document, "token_id": document["_id"]}


@router.get("/api-tokens")
async def list_tokens(user: CurrentUser, tokens: Tokens) -> list[TokenView]:
    return [TokenView.model_validate(view(d)) for d in await tokens.of(user)]


@router.post("/api-tokens", status_code=201)
async def make_token(body: NewToken, user: CurrentUser, tokens: Tokens) -> MadeTokenView:
    made = await tokens.make(user, body.name, body.scopes, timedelta(days=body.days))
    return MadeTokenView.model_validate({**view(made.document), "token": made.token})


@router.delete("/api-tokens/{token_id}", status_code=204)
async def revoke_token(token_id: str, user: CurrentUser, tokens: Tokens) -> None:
    await tokens.revoke(user, token_id)


@router.get("/api-tokens/{token_id}/uses")
async def token_uses(token_id: str, user: CurrentUser, tokens: Tokens) -> list[TokenUse]:
    entries = await tokens.uses(user, token_id)
    return [
        TokenUse(at=e["at"], kind=e["kind"], detail={k: str(v) for k, v in e["detail"].items()})
        for e in entries
    ]


@router.get("/v1/token")
async def who_am_i(request: Request) -> Holder:
    """The token's own name, scopes and person (any live token may ask)."""
    holder = await holder_of(request, None)
    return holder_view(holder)


@internal_router.post("/internal/api-tokens/check")
async def check_token(body: TokenCheck, tokens: Tokens) -> Holder:
    use = {"method": body.method, "path": body.path, "service": body.service}
    return holder_view(await tokens.check(body.token, body.scope, use))


def holder_view(holder: TokenHolder) -> Holder:
    return Holder(
        user_id=holder.user.id,
        email=holder.user.email,
        token_id=holder.token_id,
        name=holder.name,
        scopes=sorted(holder.scopes),
    )


class LocalTokenChecks:
    """auth checks tokens on its own routes without a call to itself."""

    def __init__(self, tokens: ApiTokens) -> None:
        self.tokens = tokens

    async def check(self, token: str, scope: Scope | None, method: str, path: str) -> TokenHolder:
        use = {"method": method, "path": path, "service": "auth"}
        return await self.tokens.check(token, scope, use)
