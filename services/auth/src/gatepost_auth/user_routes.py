"""HTTP routes of people: signing up (by a link mailed to the address), in and out, and changing
a password (which ends every other session)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from gatepost_auth.handlers import (
    Auth,
    BadCredentials,
    ChangedMeanwhile,
    EmailTaken,
    InvalidLink,
    TooManyAttempts,
)
from gatepost_auth.mail import FileMailbox
from gatepost_auth.schemas import Me, Session, SignupAnswer
from gatepost_auth.session_store import Sessions
from gatepost_common.provided import given
from gatepost_common.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentUser,
    SessionKey,
    User,
    issue_session,
    read_session,
    session_token,
)

# the rules of a new password, at sign-up and at a change
Password = Annotated[str, Field(min_length=8, max_length=256)]


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
    password: Password


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password


CHECK_MAIL = "Check your e-mail: the link that finishes signing up is on its way."


class SignupLink(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, Field(min_length=20, max_length=100)]


def linked(text: str) -> str:
    """Mail text as HTML, its links clickable."""
    return re.sub(r"(https?://\S+)", r"<a href='\1'>\1</a>", escape(text))


router = APIRouter(tags=["users"])
# a local or test run only: its mail is a page, which sign-up points to
mailbox_router = APIRouter(tags=["users"])
Given = Annotated[Auth, given(Auth)]
Kept = Annotated[Sessions, given(Sessions)]


async def start_session(auth: Auth, kept: Sessions, response: Response, user: User) -> Session:
    """A new session, recorded so that it can be ended (session_routes.py)."""
    settings, now = auth.settings, auth.clock.now()
    hours = settings.session_hours
    session = issue_session(settings.session_private_key, user, timedelta(hours=hours))
    await kept.start(session.id, user.id, now, now + timedelta(hours=hours))
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
    return Session(user_id=user.id, email=user.email, csrf_token=session.csrf)


@router.post("/signup", status_code=202)
async def sign_up(body: Credentials, auth: Given) -> SignupAnswer:
    """The same answer whether or not the address has an account: the link that finishes
    signing up (or a note that there is an account) goes to the address's mailbox."""
    await auth.sign_up(body.email, body.password)
    local = isinstance(auth.mailer, FileMailbox)
    return SignupAnswer(detail=CHECK_MAIL, mailbox="/api/auth/mailbox" if local else None)


@router.post("/signup/confirm", status_code=201)
async def confirm_sign_up(body: SignupLink, response: Response, auth: Given, kept: Kept) -> Session:
    try:
        user = await auth.confirm(body.token)
    except InvalidLink:
        raise HTTPException(
            404, "this sign-up link is unknown, used already or expired: sign up again"
        ) from None
    except EmailTaken:
        raise HTTPException(409, "this address has an account already: sign in") from None
    return await start_session(auth, kept, response, user)


MAILBOX_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}"
    "article{border:1px solid #d9dae0;border-radius:8px;padding:0 1rem;margin:1rem 0}"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit}"
)


@mailbox_router.get("/mailbox.css", include_in_schema=False)
async def local_mailbox_style() -> Response:
    """The local mailbox's stylesheet."""
    return Response(MAILBOX_CSS, media_type="text/css")


@mailbox_router.get("/mailbox", response_class=HTMLResponse)
async def local_mailbox(mailbox: Annotated[FileMailbox, given(FileMailbox)]) -> HTMLResponse:
    """Local and test runs only: the mail Gatepost sent, newest first."""
    items = "".join(
        f"<article><h2>{escape(m['subject'])}</h2>"
        f"<p>To {escape(m['to'])}, {escape(m['at'])}</p>"
        f"<pre>{linked(m['text'])}</pre></article>"
        for m in mailbox.latest()
    )
    return HTMLResponse(
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Local mailbox</title>"
        # a stylesheet of its own, not an inline <style>: the gateway's CSP allows no inline
        "<meta name='viewport' content='width=device-width'>"
        "<link rel='stylesheet' href='mailbox.css'>"
        "<h1>Local mailbox</h1><p>Mail Gatepost sent in this local run (production sends "
        f"it by SMTP).</p>{items or '<p>No mail yet.</p>'}</html>"
    )


def too_many(auth: Auth) -> HTTPException:
    return HTTPException(
        429,
        "too many failed sign-ins: try again in a few minutes",
        headers={"Retry-After": str(auth.settings.signin_window_s)},
    )


@router.post("/signin")
async def sign_in(body: Credentials, response: Response, auth: Given, kept: Kept) -> Session:
    try:
        user = await auth.sign_in(body.email, body.password)
    except BadCredentials:
        raise HTTPException(401, "wrong e-mail or password") from None
    except TooManyAttempts:
        raise too_many(auth) from None
    return await start_session(auth, kept, response, user)


@router.post("/me/password")
async def change_password(
    body: PasswordChange,
    request: Request,
    response: Response,
    user: CurrentUser,
    auth: Given,
    kept: Kept,
    key: Annotated[SessionKey, given(SessionKey)],
) -> Session:
    """Change your password (your current one is asked for): every session of yours ends, in
    every browser and device, and this browser gets a new one. A browser session only (with its
    X-CSRF-Token echo), never a personal API token."""
    sid = str(read_session(key.pem, session_token(request)).get("sid", ""))
    if sid and not await kept.is_live(sid, auth.clock.now()):
        raise HTTPException(401, "this session has ended: sign in again")
    if body.new_password == body.current_password:
        raise HTTPException(422, "the new password is the current one: choose another")
    try:
        changed = await auth.change_password(
            user.id, body.current_password, body.new_password, kept
        )
    except BadCredentials:
        raise HTTPException(403, "that is not your current password") from None
    except TooManyAttempts:
        raise too_many(auth) from None
    except ChangedMeanwhile:
        raise HTTPException(
            409, "your password was changed meanwhile elsewhere: sign in again"
        ) from None
    return await start_session(auth, kept, response, changed)


@router.get("/me")
async def me(user: CurrentUser) -> Me:
    return Me(user_id=user.id, email=user.email)


class Notifications(BaseModel):
    """What Gatepost mails the person about (sign-up and sign-in mail always goes)."""

    model_config = ConfigDict(extra="forbid")
    review_mail: bool  # a mail (at most one an hour) when posts await approval


@router.get("/me/notifications")
async def notifications(user: CurrentUser, auth: Given) -> Notifications:
    return Notifications(review_mail=await auth.users.review_mail(user.id))


@router.put("/me/notifications")
async def set_notifications(body: Notifications, user: CurrentUser, auth: Given) -> Notifications:
    """Turn the mail about posts awaiting approval on or off."""
    await auth.users.set_review_mail(user.id, body.review_mail)
    return body
