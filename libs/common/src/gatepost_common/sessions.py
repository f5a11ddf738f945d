"""Session tokens: auth signs them (EdDSA JWT); every service verifies them on its own, so user
isolation never depends on the gateway alone. Cookie sessions are CSRF-protected: each session
carries a random `csrf` claim that state-changing requests must echo in `X-CSRF-Token` (the value
is also in the readable `gatepost_csrf` cookie, for the web UI)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status

from gatepost_common.provided import given

SESSION_COOKIE = "gatepost_session"
CSRF_COOKIE = "gatepost_csrf"
CSRF_HEADER = "x-csrf-token"
ISSUER = "gatepost-auth"
AUDIENCE = "gatepost"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class User:
    id: str
    email: str


@dataclass(frozen=True)
class Session:
    token: str
    csrf: str
    id: str = ""  # the `sid` claim: auth can end the session by it (sign out, everywhere)


def issue_session(private_key_pem: str, user: User, lifetime: timedelta) -> Session:
    now = datetime.now(UTC)
    csrf = secrets.token_urlsafe(24)
    sid = secrets.token_urlsafe(18)
    claims = {
        "sid": sid,
        "sub": user.id,
        "email": user.email,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "csrf": csrf,
    }
    return Session(jwt.encode(claims, private_key_pem, algorithm="EdDSA"), csrf, sid)


def read_session(public_key_pem: str, token: str) -> dict[str, Any]:
    """The session's claims; raises jwt.InvalidTokenError for a bad, foreign or expired token."""
    claims: dict[str, Any] = jwt.decode(
        token,
        public_key_pem,
        algorithms=["EdDSA"],
        audience=AUDIENCE,
        issuer=ISSUER,
        options={"require": ["exp", "sub", "iss", "aud"]},
    )
    return claims


def session_token(request: Request) -> str:
    """The caller's session token (cookie or bearer), to act on their behalf towards auth."""
    token = request.cookies.get(SESSION_COOKIE)
    header = request.headers.get("authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:]
    return token or ""


@dataclass(frozen=True)
class SessionKey:
    """auth's public key (PEM), which every service verifies sessions with."""

    pem: str


def signed_in(request: Request, key: Annotated[SessionKey, given(SessionKey)]) -> User:
    """The signed-in user, or 401 (403 on a CSRF failure)."""
    token, from_cookie = session_token(request), bool(request.cookies.get(SESSION_COOKIE))
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first")
    try:
        claims = read_session(key.pem, token)
    except jwt.InvalidTokenError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "session expired or invalid: sign in again"
        ) from None
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, str(claims.get("csrf", ""))):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong X-CSRF-Token header")
    return User(id=str(claims["sub"]), email=str(claims.get("email", "")))


# a route's parameter `user: CurrentUser` is the person signed in
CurrentUser = Annotated[User, Depends(signed_in)]
