"""When a live post's numbers are read, and why a post has none: pure rules, no I/O.

A post's views climb fast, then saturate: it is read 1 h, 6 h, 24 h and 48 h after it went
public, at 7 days, then weekly for three months (17 readings in all)."""

from __future__ import annotations

from datetime import datetime, timedelta

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
WEEKLY = tuple(7 * DAY * week for week in range(2, 14))
READ_AT: tuple[timedelta, ...] = (HOUR, 6 * HOUR, DAY, 2 * DAY, 7 * DAY, *WEEKLY)


def next_read(went_live_at: datetime, reads_done: int) -> datetime | None:
    """When the post's reading number `reads_done + 1` is due; None after the last."""
    if reads_done >= len(READ_AT):
        return None
    return went_live_at + READ_AT[reads_done]


def reads_due(went_live_at: datetime, now: datetime) -> int:
    """How many of the plan's readings are due by `now` (one reading covers all that are)."""
    return sum(1 for after in READ_AT if went_live_at + after <= now)


# The plain reasons a post or an account has no numbers.
DISABLED = "Insights are turned off in this Gatepost deployment."
SCOPE_MISSING = (
    "This account did not allow Gatepost to read its posts' numbers (TikTok's video.list "
    "permission): reconnect it and allow it."
)
STATS_SCOPE_MISSING = (
    "This account did not allow Gatepost to read its follower and like totals (TikTok's "
    "user.info.stats permission)."
)
SELF_ONLY = "Posted as private (SELF_ONLY): TikTok gives numbers only for public posts."
UNAUDITED = (
    "This app is not audited by TikTok yet, so its posts are private and TikTok gives no "
    "numbers for them."
)
NOT_RETURNED = (
    "TikTok did not return this post's numbers (it may not give them for photo posts, or the "
    "post was removed)."
)
NOT_PUBLIC_YET = "Not public on TikTok yet: its numbers follow once TikTok makes it public."
NOT_READ_YET = "Its first numbers are read an hour after it went public."
TAKEN_DOWN = "TikTok no longer shows this post publicly, so it gives no new numbers for it."
NOT_PUBLISHED = "Not published on TikTok."


def post_reason(
    *,
    enabled: bool,
    audited: bool,
    privacy_level: str | None,
    public_id: str | None,
    published: bool,
    stored_reason: str | None,
    has_reading: bool,
) -> str | None:
    """Why a post has no numbers (None: it has some, or they are coming as planned)."""
    if not enabled:
        return DISABLED
    if not published:
        return NOT_PUBLISHED
    if privacy_level is not None and privacy_level != "PUBLIC_TO_EVERYONE":
        return UNAUDITED if not audited else SELF_ONLY
    if not audited:
        return UNAUDITED
    if public_id is None:
        return NOT_PUBLIC_YET
    if stored_reason:
        return stored_reason
    return None if has_reading else NOT_READ_YET
