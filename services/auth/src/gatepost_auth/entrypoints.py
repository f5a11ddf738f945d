"""HTTP routes: users and sessions, TikTok connection and accounts, internal token routes."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from gatepost_auth import oauth_state
from gatepost_auth.domain import usable
from gatepost_auth.handlers import (
    Auth,
    BadCredentials,
    EmailTaken,
    InvalidLink,
    PermissionNotGranted,
    TooManyAttempts,
    account_view,
    style_of,
)
from gatepost_auth.mail import FileMailbox
from gatepost_auth.tokens import NeedsReauth, RefreshUnavailable, UnknownAccount
from gatepost_common.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    User,
    issue_session,
    session_user,
)
from gatepost_common.slide_style import Style
from gatepost_common.tiktok import TikTokError, TikTokOAuthError, authorize_url, pkce_pair


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
    password: Annotated[str, Field(min_length=8, max_length=256)]


CHECK_MAIL = "Check your e-mail: the link that finishes signing up is on its way."


class SignupLink(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, Field(min_length=20, max_length=100)]


def linked(text: str) -> str:
    """Mail text as HTML, its links clickable."""
    return re.sub(r"(https?://\S+)", r"<a href='\1'>\1</a>", escape(text))


class TokenRequest(BaseModel):
    current_token_rejected: bool = False
    # which token TikTok rejected (its SHA-256, never the token): one a replica replaced
    # meanwhile is not refreshed again, the current one is handed over instead
    rejected_token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    # the user the caller acts for: the account must be theirs
    user_id: str


class AuthorizationRemoved(BaseModel):
    open_id: str
    reason: int = 0


NO_ACCOUNT = "no such account"


def routes(auth: Auth, internal_callers: Any) -> APIRouter:
    settings, keeper = auth.settings, auth.keeper
    # a local or test run: its mail is a page, which sign-up points to
    mailbox = auth.mailer if isinstance(auth.mailer, FileMailbox) else None
    router = APIRouter()
    current_user = session_user(settings.session_public_key)

    def start_session(response: Response, user: User) -> dict[str, str]:
        hours = settings.session_hours
        session = issue_session(settings.session_private_key, user, timedelta(hours=hours))
        response.set_cookie(
            SESSION_COOKIE,
            session.token,
            httponly=True,
            secure=settings.cookie_secure,
            samesite="lax",
            max_age=hours * 3600,
        )
        # readable by the page's script, which echoes it in X-CSRF-Token
        response.set_cookie(
            CSRF_COOKIE,
            session.csrf,
            httponly=False,
            secure=settings.cookie_secure,
            samesite="strict",
            max_age=hours * 3600,
        )
        return {"user_id": user.id, "email": user.email, "csrf_token": session.csrf}

    @router.post("/signup", status_code=202, tags=["users"])
    async def sign_up(body: Credentials) -> dict[str, str]:
        """The same answer whether or not the address has an account: the link that finishes
        signing up (or a note that there is an account) goes to the address's mailbox."""
        await auth.sign_up(body.email, body.password)
        answer = {"detail": CHECK_MAIL}
        if mailbox is not None:
            answer["mailbox"] = "/api/auth/mailbox"
        return answer

    @router.post("/signup/confirm", status_code=201, tags=["users"])
    async def confirm_sign_up(body: SignupLink, response: Response) -> dict[str, str]:
        try:
            user = await auth.confirm(body.token)
        except InvalidLink:
            raise HTTPException(
                404, "this sign-up link is unknown, used already or expired: sign up again"
            ) from None
        except EmailTaken:
            raise HTTPException(409, "this address has an account already: sign in") from None
        return start_session(response, user)

    if mailbox is not None:
        local = mailbox

        @router.get("/mailbox", tags=["users"], response_class=HTMLResponse)
        async def local_mailbox() -> HTMLResponse:
            """Local and test runs only: the mail Gatepost sent, newest first."""
            items = "".join(
                f"<article><h2>{escape(m['subject'])}</h2>"
                f"<p>To {escape(m['to'])}, {escape(m['at'])}</p>"
                f"<pre>{linked(m['text'])}</pre></article>"
                for m in local.latest()
            )
            return HTMLResponse(
                "<!doctype html><html lang='en'><meta charset='utf-8'><title>Local mailbox</title>"
                "<meta name='viewport' content='width=device-width'><style>body{font-family:"
                "system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}"
                "article{border:1px solid #d9dae0;border-radius:8px;padding:0 1rem;margin:1rem 0}"
                "pre{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit}</style>"
                "<h1>Local mailbox</h1><p>Mail Gatepost sent in this local run (production sends "
                f"it by SMTP).</p>{items or '<p>No mail yet.</p>'}</html>"
            )

    @router.post("/signin", tags=["users"])
    async def sign_in(body: Credentials, response: Response) -> dict[str, str]:
        try:
            user = await auth.sign_in(body.email, body.password)
        except BadCredentials:
            raise HTTPException(401, "wrong e-mail or password") from None
        except TooManyAttempts:
            raise HTTPException(
                429,
                "too many failed sign-ins: try again in a few minutes",
                headers={"Retry-After": str(settings.signin_window_s)},
            ) from None
        return start_session(response, user)

    @router.post("/signout", status_code=204, tags=["users"])
    async def sign_out(response: Response, user: User = current_user) -> None:
        response.delete_cookie(SESSION_COOKIE)
        response.delete_cookie(CSRF_COOKIE)

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

    @router.get("/accounts", tags=["accounts"])
    async def accounts(user: User = current_user) -> list[dict[str, Any]]:
        return [account_view(a) for a in await auth.accounts.for_user(user.id)]

    async def owned(account_id: str, user: User) -> dict[str, Any]:
        account = await auth.accounts.owned(account_id, user.id)
        if account is None or not usable(account):
            raise HTTPException(404, NO_ACCOUNT)  # the same answer for someone else's account
        return account

    @router.get("/accounts/{account_id}", tags=["accounts"])
    async def account(account_id: str, user: User = current_user) -> dict[str, Any]:
        return account_view(await owned(account_id, user))

    @router.delete("/accounts/{account_id}", status_code=204, tags=["accounts"])
    async def disconnect(account_id: str, user: User = current_user) -> None:
        await owned(account_id, user)
        try:
            await keeper.disconnect(account_id)
        except RefreshUnavailable:
            raise HTTPException(502, "TikTok could not be reached: try again") from None

    @router.put("/accounts/{account_id}/style", tags=["accounts"])
    async def set_style(account_id: str, style: Style, user: User = current_user) -> dict[str, Any]:
        """How this account's new slides look (font, colours, where the words sit); a style
        whose colours cannot be read (under 4.5:1) is refused."""
        await owned(account_id, user)
        await auth.accounts.set_fields(account_id, {"style": style.model_dump()})
        return account_view(await owned(account_id, user))

    @router.get("/accounts/{account_id}/creator-info", tags=["accounts"])
    async def creator_info(account_id: str, user: User = current_user) -> dict[str, Any]:
        await owned(account_id, user)
        try:
            info = await keeper.on_behalf(account_id, auth.tiktok.creator_info)
        except NeedsReauth:
            raise HTTPException(
                409, "reconnect this TikTok account: TikTok ended its authorisation"
            ) from None
        except (RefreshUnavailable, TikTokError):
            raise HTTPException(502, "TikTok could not be reached: try again") from None
        keep = (
            "creator_nickname",
            "creator_username",
            "creator_avatar_url",
            "privacy_level_options",
            "comment_disabled",
            "duet_disabled",
            "stitch_disabled",
            "max_video_post_duration_sec",
            "posting_blocked",
        )
        return {k: info.get(k) for k in keep}

    internal = [internal_callers]  # who may call which: gatepost_common.access

    @router.post("/internal/accounts/{account_id}/token", tags=["internal"], dependencies=internal)
    async def token(account_id: str, body: TokenRequest) -> dict[str, str]:
        if await auth.accounts.owned(account_id, body.user_id) is None:
            raise HTTPException(404, NO_ACCOUNT)
        try:
            fresh = await keeper.access_token(
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
        return {"access_token": fresh, "open_id": account["open_id"]}

    @router.get(
        "/internal/users/{user_id}/accounts/{account_id}", tags=["internal"], dependencies=internal
    )
    async def owned_account(user_id: str, account_id: str) -> dict[str, Any]:
        """Whether the account is one of the user's connected accounts (404 when not): topics
        are checked at the door, before any model call is paid for."""
        account = await auth.accounts.owned(account_id, user_id)
        if account is None or not usable(account):
            raise HTTPException(404, NO_ACCOUNT)
        return {
            "account_id": account_id,
            "status": account.get("status"),
            "open_id": account.get("open_id"),  # the creator TikTok's daily limit is counted for
        }

    @router.get("/internal/accounts/{account_id}/style", tags=["internal"], dependencies=internal)
    async def account_style(account_id: str) -> dict[str, Any]:
        """The account's slide style (the default when none was chosen), for composing."""
        account = await auth.accounts.get(account_id)
        if account is None:
            raise HTTPException(404, NO_ACCOUNT)
        return style_of(account)

    @router.post("/internal/authorization-removed", tags=["internal"], dependencies=internal)
    async def authorization_removed(body: AuthorizationRemoved) -> dict[str, int]:
        return {"accounts": await keeper.authorization_removed(body.open_id, body.reason)}

    return router


def forget_state(response: Response) -> Response:
    response.delete_cookie(oauth_state.STATE_COOKIE)
    return response


def page(status: int, title: str, text: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='en'><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p><p><a href='/#accounts'>Back to Gatepost</a></p></html>",
        status_code=status,
    )
