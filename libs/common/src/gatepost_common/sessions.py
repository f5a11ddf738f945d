"""Session tokens: auth signs them (EdDSA JWT); every service verifies them on its own."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Header, HTTPException, Request, status

SESSION_COOKIE = "gatepost_session"
ISSUER = "gatepost-auth"
AUDIENCE = "gatepost"


@dataclass(frozen=True)
class User:
    id: str
    email: str


def issue_session(private_key_pem: str, user: User, lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user.id,
        "email": user.email,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, private_key_pem, algorithm="EdDSA")


def read_session(public_key_pem: str, token: str) -> User:
    """The session's user; raises jwt.InvalidTokenError for a bad, foreign or expired token."""
    claims = jwt.decode(
        token,
        public_key_pem,
        algorithms=["EdDSA"],
        audience=AUDIENCE,
        issuer=ISSUER,
        options={"require": ["exp", "sub", "iss", "aud"]},
    )
    return User(id=str(claims["sub"]), email=str(claims.get("email", "")))


def session_user(public_key_pem: str) -> Any:
    """A FastAPI dependency giving the signed-in user, or 401."""

    def dependency(request: Request) -> User:
        token = request.cookies.get(SESSION_COOKIE)
        header = request.headers.get("authorization", "")
        if not token and header.lower().startswith("bearer "):
            token = header[7:]
        if not token:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first")
        try:
            return read_session(public_key_pem, token)
        except jwt.InvalidTokenError:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "session expired or invalid"
            ) from None

    return Depends(dependency)


def service_credential(expected: str) -> Any:
    """A FastAPI dependency for internal routes: a shared service credential, compared in
    constant time."""

    def dependency(x_service_token: Annotated[str, Header()] = "") -> None:
        if not expected or not hmac.compare_digest(x_service_token.encode(), expected.encode()):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, "internal route: service credential required"
            )

    return Depends(dependency)
