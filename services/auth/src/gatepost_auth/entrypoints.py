"""HTTP routes of TikTok accounts: connecting one (OAuth 2.0 with state and PKCE), the person's
accounts, their slide style and creator_info."""

from __future__ import annotations

import secrets
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from gatepost_auth import ending, oauth_state
from gatepost_auth.domain import Account, NeedsReauth, RefreshUnavailable, usable
from gatepost_auth.handlers import Auth, PermissionNotGranted
from gatepost_auth.internal_routes import NO_ACCOUNT
from gatepost_auth.schemas import AccountView, CreatorInfo, Learning
from gatepost_common.provided import given
from gatepost_common.sessions import CurrentUser
from gatepost_common.slide_style import Style
from gatepost_common.tiktok import TikTokError
from gatepost_common.tiktok_oauth import TikTokOAuthError, authorize_url, pkce_pair

router = APIRouter(tags=["accounts"])
Given = Annotated[Auth, given(Auth)]


@router.get(
    "/tiktok/connect",
    response_class=RedirectResponse,
    status_code=302,
    responses={302: {"description": "To TikTok's authorisation page"}},
)
async def connect(user: CurrentUser, auth: Given) -> RedirectResponse:
    settings = auth.settings
    state = secrets.token_urlsafe(24)
    verifier, challenge = pkce_pair() if settings.tiktok_pkce else (None, None)
    target = authorize_url(
        base=settings.tiktok_authorize_url,
        client_key=settings.tiktok_client_key,
        redirect_uri=settings.tiktok_redirect_uri,
        scopes=settings.tiktok_scopes,
        state=state,
        code_challenge=challenge,
    )
    redirect = RedirectResponse(target, status_code=302)
    sealed = oauth_state.seal(
        settings.state_secret, {"state": state, "user_id": user.id, "verifier": verifier}
    )
    redirect.set_cookie(
        oauth_state.STATE_COOKIE,
        sealed,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        max_age=oauth_state.STATE_TTL_S,
    )
    return redirect


@router.get(
    "/tiktok/callback",
    response_model=None,
    response_class=HTMLResponse,
    status_code=303,
    responses={
        303: {"description": "Connected: back to the Accounts page"},
        400: {"description": "Not connected (a page saying why)"},
        502: {"description": "TikTok failed (a page saying so)"},
    },
)
async def callback(request: Request, user: CurrentUser, auth: Given) -> Response:
    settings = auth.settings
    query = request.query_params
    payload = oauth_state.unseal(
        settings.state_secret, request.cookies.get(oauth_state.STATE_COOKIE, "")
    )
    if (
        payload is None
        or payload.get("user_id") != user.id
        or not secrets.compare_digest(str(payload.get("state")), query.get("state", ""))
    ):
        return page(
            400,
            "This sign-in link is invalid or has expired",
            "Start connecting your TikTok account again from the Accounts page.",
        )
    if query.get("error"):
        reason = (
            "You declined access on TikTok."
            if query["error"] == "access_denied"
            else "TikTok did not grant access."
        )
        return forget_state(page(400, "TikTok account not connected", reason))
    try:
        await auth.connect(user.id, query.get("code", ""), payload.get("verifier"))
    except PermissionNotGranted as missing:
        return forget_state(page(400, "TikTok account not connected", str(missing)))
    except (TikTokOAuthError, TikTokError) as error:
        code = error.error if isinstance(error, TikTokOAuthError) else error.code
        return forget_state(
            page(
                502,
                "TikTok account not connected",
                f"TikTok answered {code}. Please try again.",
            )
        )
    return forget_state(RedirectResponse(settings.after_connect_url, status_code=303))


@router.get("/accounts")
async def accounts(user: CurrentUser, auth: Given) -> list[AccountView]:
    return [AccountView.of(a) for a in await auth.accounts.for_user(user.id)]


async def owned(account_id: str, user: CurrentUser, auth: Given) -> Account:
    """The person's own connected account named in the path."""
    account = await auth.accounts.owned(account_id, user.id)
    if account is None or not usable(account):
        raise HTTPException(404, NO_ACCOUNT)  # the same answer for someone else's account
    return account


Owned = Annotated[Account, Depends(owned)]


@router.get("/accounts/{account_id}")
async def account(account: Owned) -> AccountView:
    return AccountView.of(account)


@router.delete("/accounts/{account_id}", status_code=204)
async def disconnect(account_id: str, _: Owned, auth: Given) -> None:
    try:
        await ending.disconnect(auth.keeper, account_id)
    except RefreshUnavailable:
        raise HTTPException(502, "TikTok could not be reached: try again") from None


@router.put("/accounts/{account_id}/style")
async def set_style(
    account_id: str, style: Style, _: Owned, user: CurrentUser, auth: Given
) -> AccountView:
    """How this account's new slides look (font, colours, where the words sit); a style
    whose colours cannot be read (under 4.5:1) is refused."""
    await auth.accounts.set_fields(account_id, {"style": style.model_dump()})
    return AccountView.of(await owned(account_id, user, auth))


@router.put("/accounts/{account_id}/learning")
async def set_learning(
    account_id: str, learning: Learning, _: Owned, user: CurrentUser, auth: Given
) -> AccountView:
    """Switch "what worked, fed back" on or off for this account: the library and the queue
    summarise its earlier similar posts, and new posts take its best titles as style examples."""
    await auth.accounts.set_fields(account_id, {"learn_from_posts": learning.learn_from_posts})
    return AccountView.of(await owned(account_id, user, auth))


@router.get("/accounts/{account_id}/creator-info")
async def creator_info(account_id: str, _: Owned, auth: Given) -> CreatorInfo:
    try:
        info = await auth.keeper.on_behalf(account_id, auth.tiktok.creator_info)
    except NeedsReauth:
        raise HTTPException(
            409, "reconnect this TikTok account: TikTok ended its authorisation"
        ) from None
    except (RefreshUnavailable, TikTokError):
        raise HTTPException(502, "TikTok could not be reached: try again") from None
    return CreatorInfo.model_validate(info)


def forget_state(response: Response) -> Response:
    response.delete_cookie(oauth_state.STATE_COOKIE)
    return response


def page(status: int, title: str, text: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='en'><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p><p><a href='/#accounts'>Back to Gatepost</a></p></html>",
        status_code=status,
    )
