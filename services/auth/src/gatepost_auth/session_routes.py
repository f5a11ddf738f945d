"""HTTP: ending sessions, and the gateway's question about each request's session."""

from __future__ import annotations

import posixpath
from typing import Annotated
from urllib.parse import unquote

import jwt
from fastapi import APIRouter, HTTPException, Request, Response

from gatepost_auth.handlers import Auth
from gatepost_auth.session_store import Sessions
from gatepost_common.api_tokens import TOKEN_PREFIX
from gatepost_common.provided import given
from gatepost_common.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentUser,
    SessionKey,
    read_session,
    session_token,
)

router = APIRouter(tags=["users"])
Given = Annotated[Auth, given(Auth)]
Kept = Annotated[Sessions, given(Sessions)]
Key = Annotated[SessionKey, given(SessionKey)]
ENDED = "this session has ended: sign in again"
# where a stale cookie must not stand in the way: exactly these paths (after `..` and %2F are
# resolved, as nginx resolves them before it routes), never what merely starts like them
SIGNING_IN = frozenset(
    {
        "/api/auth/signin",
        "/api/auth/signup",
        "/api/auth/signup/confirm",
        "/api/auth/mailbox",
        "/api/auth/mailbox.css",
    }
)


def routed_path(original_uri: str) -> str:
    """The path nginx routes `original_uri` ($request_uri, as the client wrote it) to: query
    left out, percent-decoded, dot segments and repeated slashes resolved."""
    path = unquote(original_uri.split("?", 1)[0])
    resolved = posixpath.normpath("/" + path.lstrip("/"))
    return "/" + resolved.lstrip("/")


def forget(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.post("/signout", status_code=204)
async def sign_out(
    request: Request, response: Response, user: CurrentUser, auth: Given, kept: Kept, key: Key
) -> None:
    """End this session: its token answers 401 from now on, wherever it is sent."""
    sid = str(read_session(key.pem, session_token(request)).get("sid", ""))
    if sid:
        await kept.end(sid, user.id, auth.clock.now())
    forget(response)


@router.post("/signout/everywhere", status_code=204)
async def sign_out_everywhere(
    response: Response, user: CurrentUser, auth: Given, kept: Kept
) -> None:
    """End every session of yours (every browser and device), this one included."""
    await kept.end_all(user.id, auth.clock.now())
    forget(response)


@router.get("/session/check", status_code=204, include_in_schema=False)
async def check(request: Request, auth: Given, kept: Kept, key: Key) -> None:
    """For the gateway (`auth_request`), before any service sees a request: 401 when the
    request carries a session that is invalid or has ended (a personal API token is not a
    session: the route's service has auth check it), or carries none where the gateway
    says one is required (uploads); 204 otherwise (no session at all is for the route to
    judge). Sessions issued before they had an id live until they expire."""
    token = session_token(request)
    asked = routed_path(request.headers.get("x-original-uri", ""))
    if asked in SIGNING_IN:  # a stale cookie must not stop a new session
        return
    if token.startswith(TOKEN_PREFIX):  # a personal API token: auth checks it on every call
        return
    if not token:
        if request.headers.get("x-session-required") == "yes":  # an upload: before its body
            raise HTTPException(401, "sign in first")
        return
    try:
        sid = str(read_session(key.pem, token).get("sid", ""))
    except jwt.InvalidTokenError:
        raise HTTPException(401, "session expired or invalid: sign in again") from None
    if sid and not await kept.is_live(sid, auth.clock.now()):
        raise HTTPException(401, ENDED)
