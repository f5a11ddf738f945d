"""TikTok's OAuth v2 as Gatepost speaks it: the authorisation URL with state (and PKCE, TikTok's
own hex challenge), the token set an exchange or refresh gives, and the flat OAuth error. The
calls themselves: gatepost_common.tiktok.TikTokClient."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"


class TikTokOAuthError(Exception):
    """An error answer from the OAuth endpoints (flat `error`/`error_description`)."""

    def __init__(self, error: str, description: str, log_id: str, http_status: int) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.log_id = log_id
        self.http_status = http_status


@dataclass(frozen=True)
class TokenSet:
    open_id: str
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    scope: str


def code_challenge(verifier: str) -> str:
    """TikTok's PKCE challenge: lowercase hex SHA-256 of the verifier, not RFC 7636 base64url."""
    return hashlib.sha256(verifier.encode("ascii")).hexdigest()


def pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, code_challenge)."""
    verifier = secrets.token_urlsafe(48)[:64]
    return verifier, code_challenge(verifier)


def authorize_url(
    *,
    base: str,
    client_key: str,
    redirect_uri: str,
    scopes: list[str],
    state: str,
    code_challenge: str | None = None,
) -> str:
    params = {
        "client_key": client_key,
        "scope": ",".join(scopes),
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
    }
    if code_challenge:
        params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    return f"{base}?{urlencode(params)}"
