"""Pure rules of auth: a connected account's life, when a token needs refreshing, how long to
back off, sign-in throttling.

    connected ──TikTok refused the refresh / the chain ended──▶ needs_reauth
        ▲                                                           │
        └──────────────────── the person connects again ◀───────────┘
    any ──disconnect (tokens revoked and dropped) or TikTok's authorization.removed──▶ disconnected
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Required, TypedDict


class AccountStatus(StrEnum):
    CONNECTED = "connected"  # tokens held; refreshed before they expire
    NEEDS_REAUTH = "needs_reauth"  # TikTok will not refresh: the person must connect again
    DISCONNECTED = "disconnected"  # tokens dropped; hidden from the person's accounts


class Account(TypedDict, total=False):
    """A TikTok account as the account store keeps it: what the use cases read. Its tokens are
    sealed (AES-256-GCM, bound to the account's id); they are gone once it is disconnected."""

    _id: Required[str]
    user_id: Required[str]
    open_id: Required[str]
    status: str  # an AccountStatus
    display_name: str
    avatar_url: str
    access_token: dict[str, str]  # sealed: key id, nonce, ciphertext
    refresh_token: dict[str, str]
    access_expires_at: datetime
    refresh_expires_at: datetime
    scope: str
    tokens_at: datetime
    connected_at: datetime  # when the person last connected it (TikTok issued a first pair)
    reauth_reason: str | None
    refresh_failures: int
    next_refresh_at: datetime | None
    lease_until: datetime | None
    lease_owner: str | None
    style: dict[str, Any] | None
    # "what worked, fed back" (opt-in, off unless the person switches it on): summaries of
    # earlier similar posts, and the best titles as the generator's style examples
    learn_from_posts: bool
    created_at: datetime


def usable(account: Account | None) -> bool:
    """An account the person still has (connected, or waiting to be connected again)."""
    return account is not None and account.get("status") != AccountStatus.DISCONNECTED


def still_listed() -> dict[str, Any]:
    """The condition of the accounts a person still has."""
    return {"status": {"$ne": AccountStatus.DISCONNECTED.value}}


TRANSIENT_OAUTH_ERRORS = frozenset({"server_error", "temporarily_unavailable"})


def needs_refresh(now: datetime, access_expires_at: datetime, window: timedelta) -> bool:
    return access_expires_at - window <= now


def backoff(failures: int, ceiling: timedelta) -> timedelta:
    """Exponential from 30 s, capped: 30 s, 60 s, 2 min, … for consecutive transient failures."""
    return min(timedelta(seconds=30 * 2 ** max(failures - 1, 0)), ceiling)


def signin_blocked(failures: int, limit: int) -> bool:
    return failures >= limit


class UnknownAccount(LookupError):
    """No such connected account."""


class NeedsReauth(RuntimeError):
    """TikTok no longer accepts this account's refresh token: its owner must connect again."""


class RefreshUnavailable(RuntimeError):
    """TikTok could not be reached to refresh; try again later."""
