"""HTTP routes: users and sessions, TikTok connection, and the internal token endpoint."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from gatepost_auth import oauth_state
from gatepost_auth.handlers import Auth, BadCredentials, EmailTaken, UnknownAccount, account_view
from gatepost_common.sessions import (
    SESSION_COOKIE,
    User,
    issue_session,
    service_credential,
    session_user,
)
from gatepost_common.tiktok import TikTokError, TikTokOAuthError, authorize_url, pkce_pair


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
    password: Annotated[str, Field(min_length=8, max_length=256)]


class TokenRequest(BaseModel):
    current_token_rejected: bool = False


def routes(auth: Auth) -> APIRouter:
    settings = auth.settings
    router = APIRouter()
    current_user = session_user(settings.session_public_key)

    def start_session(response: Response, user: User) -> dict[str, str]:
        token = issue_session(
            settings.session_private_key, user, timedelta(hours=settings.session_hours)
        )
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            secure=settings.cookie_secure,
            samesite="lax",
            max_age=settings.session_hours * 3600,
            path="/",
        )
        return {"user_id": user.id, "email": user.email}

    @router.post("/signup", status_code=201, tags=["users"])
    async def sign_up(body: Credentials, response: Response) -> dict[str, str]:
        try:
            user = await auth.sign_up(body.email, body.password)
        except EmailTaken:
            raise HTTPException(409, "an account with this e-mail exists already") from None
        return start_session(response, user)

    @router.post("/signin", tags=["users"])
    async def sign_in(body: Credentials, response: Response) -> dict[str, str]:
        try:
            user = await auth.sign_in(body.email, body.password)
        except BadCredentials:
            raise HTTPException(401, "wrong e-mail or password") from None
        return start_session(response, user)

    @router.post("/signout", status_code=204, tags=["users"])
    async def sign_out(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")

    @router.get("/me", tags=["users"])
    async def me(user: User = current_user) -> dict[str, str]:
        return {"user_id": user.id, "email": user.email}

    @router.get("/tiktok/connect", tags=["accounts"])
    async def connect(user: User = current_user) -> RedirectResponse:
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
            path="/",
        )
        return redirect

    @router.get("/tiktok/callback", tags=["accounts"], response_model=None)
    async def callback(request: Request, user: User = current_user) -> Response:
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
            return page(400, "TikTok account not connected", reason)
        try:
            await auth.connect(user.id, query.get("code", ""), payload.get("verifier"))
        except (TikTokOAuthError, TikTokError) as error:
            code = getattr(error, "error", getattr(error, "code", "error"))
            return page(502, "TikTok account not connected", f"TikTok answered {code}.")
        done = RedirectResponse(settings.after_connect_url, status_code=303)
        done.delete_cookie(oauth_state.STATE_COOKIE, path="/")
        return done

    @router.get("/accounts", tags=["accounts"])
    async def accounts(user: User = current_user) -> list[dict[str, Any]]:
        return [account_view(a) for a in await auth.accounts.for_user(user.id)]

    @router.post(
        "/internal/accounts/{account_id}/token",
        tags=["internal"],
        dependencies=[service_credential(settings.internal_token)],
    )
    async def token(account_id: str, body: TokenRequest) -> dict[str, str]:
        try:
            return {
                "access_token": await auth.access_token(account_id, body.current_token_rejected)
            }
        except UnknownAccount:
            raise HTTPException(404, "no such account") from None

    return router


def page(status: int, title: str, text: str) -> HTMLResponse:
    from html import escape

    return HTMLResponse(
        f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p><p><a href='/#accounts'>Back to Gatepost</a></p>",
        status_code=status,
    )
