"""Internal HTTP routes: tokens for the publisher, ownership and style checks for the other
services, TikTok's authorisation notices. Who may call which: gatepost_common.access."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from gatepost_auth.domain import NeedsReauth, RefreshUnavailable, UnknownAccount, usable
from gatepost_auth.handlers import Auth
from gatepost_auth.schemas import AccessToken, OwnedAccount
from gatepost_common.access import INTERNAL
from gatepost_common.post_approved import Sha256
from gatepost_common.provided import given
from gatepost_common.slide_style import Style

NO_ACCOUNT = "no such account"


class TokenRequest(BaseModel):
    current_token_rejected: bool = False
    # which token TikTok rejected (its SHA-256, never the token): one a replica replaced
    # meanwhile is not refreshed again, the current one is handed over instead
    rejected_token_sha256: Sha256 | None = None
    # the user the caller acts for: the account must be theirs
    user_id: str


router = APIRouter(tags=["internal"], dependencies=[INTERNAL])
Given = Annotated[Auth, given(Auth)]


@router.post("/internal/accounts/{account_id}/token")
async def token(account_id: str, body: TokenRequest, auth: Given) -> AccessToken:
    if await auth.accounts.owned(account_id, body.user_id) is None:
        raise HTTPException(404, NO_ACCOUNT)
    try:
        fresh = await auth.keeper.access_token(
            account_id,
            rejected=body.current_token_rejected,
            rejected_sha256=body.rejected_token_sha256,
        )
    except UnknownAccount:
        raise HTTPException(404, NO_ACCOUNT) from None
    except NeedsReauth:
        raise HTTPException(409, "needs_reauth") from None
    except RefreshUnavailable:
        raise HTTPException(503, "refresh unavailable: retry later") from None
    account = await auth.accounts.get(account_id)
    if account is None:
        raise HTTPException(404, NO_ACCOUNT)
    # the creator the token speaks for: TikTok's daily post limit is counted per creator
    return AccessToken(access_token=fresh, open_id=account["open_id"])


@router.get("/internal/users/{user_id}/accounts/{account_id}")
async def owned_account(user_id: str, account_id: str, auth: Given) -> OwnedAccount:
    """Whether the account is one of the user's connected accounts (404 when not): topics
    are checked at the door, before any model call is paid for."""
    account = await auth.accounts.owned(account_id, user_id)
    if account is None or not usable(account):
        raise HTTPException(404, NO_ACCOUNT)
    # open_id: the creator TikTok's daily limit is counted for
    return OwnedAccount.model_validate({**account, "account_id": account_id})


@router.get("/internal/accounts/{account_id}/style")
async def account_style(account_id: str, auth: Given) -> Style:
    """The account's slide style (the default when none was chosen), for composing."""
    account = await auth.accounts.get(account_id)
    if account is None:
        raise HTTPException(404, NO_ACCOUNT)
    return Style(**(account.get("style") or {}))
