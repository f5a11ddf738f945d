"""Pure rules of auth: when a token needs refreshing, how long to back off, sign-in throttling."""

from __future__ import annotations

from datetime import datetime, timedelta

TRANSIENT_OAUTH_ERRORS = frozenset({"server_error", "temporarily_unavailable"})


def needs_refresh(now: datetime, access_expires_at: datetime, window: timedelta) -> bool:
    return access_expires_at - window <= now


def backoff(failures: int, ceiling: timedelta) -> timedelta:
    """Exponential from 30 s, capped: 30 s, 60 s, 2 min, … for consecutive transient failures."""
    return min(timedelta(seconds=30 * 2 ** max(failures - 1, 0)), ceiling)


def signin_blocked(failures: int, limit: int) -> bool:
    return failures >= limit
