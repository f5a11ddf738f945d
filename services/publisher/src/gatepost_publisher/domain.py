"""The publisher's rules, without I/O: how each TikTok answer is handled."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from gatepost_common.events import PostApproved


class Handling(Enum):
    DEFER = "defer"  # not now: the job waits for the next window
    FAIL = "fail"  # never, as approved: a person must act
    REFRESH = "refresh"  # ask auth for a refreshed token, then retry once
    BACK_OFF = "back_off"  # rate limited: wait, retry, not a failure
    RETRY = "retry"  # transient: bounded retries with jitter


READABLE = {
    "url_ownership_unverified": "TikTok does not accept the image URLs: their domain or prefix "
    "is not verified for this app",
    "privacy_level_option_mismatch": "the chosen privacy level is not offered by this account "
    "any more",
    "unaudited_client_can_only_post_to_private_accounts": "this app is not audited by TikTok yet "
    "and may only post to private accounts",
    # the reference tables say invalid_param, real answers invalid_params: both are the same
    "invalid_param": "TikTok refused the post's parameters",
    "invalid_params": "TikTok refused the post's parameters",
    "scope_not_authorized": "the account did not grant the video.publish permission",
    "app_version_check_failed": "the creator's TikTok app is too old for inbox uploads",
    "spam_risk_too_many_posts": "TikTok's daily post limit for this creator is reached",
    "spam_risk_user_banned_from_posting": "TikTok currently bans this creator from posting",
    "spam_risk_too_many_pending_share": "five drafts are already waiting in the creator's inbox",
    "reached_active_user_cap": "the app's daily quota of publishing creators is reached",
}
DEFER_CODES = frozenset(
    {
        "spam_risk_too_many_posts",
        "spam_risk_user_banned_from_posting",
        "spam_risk_too_many_pending_share",
        "reached_active_user_cap",
    }
)


def handling(code: str, http_status: int) -> Handling:
    if code in DEFER_CODES:
        return Handling.DEFER
    if code == "access_token_invalid":
        return Handling.REFRESH
    if code == "rate_limit_exceeded" or http_status == 429:
        return Handling.BACK_OFF
    if http_status >= 500 or code in ("internal_error", ""):
        return Handling.RETRY
    return Handling.FAIL


def readable(code: str, message: str = "") -> str:
    if code in ("invalid_param", "invalid_params") and message:
        return f"{READABLE[code]}: {message}"  # TikTok's message names the parameter
    return (
        READABLE.get(code) or f"TikTok refused the post ({code}{': ' + message if message else ''})"
    )


# TikTok's status fail_reasons after which the same post may well succeed when published again
# (tiktok-api.md: `internal` is retryable; a pull failure is retried once the URL works; the daily
# limit passes tomorrow). Others (auth_removed, spam_risk_text, size checks) need another post.
RETRYABLE_FAIL_REASONS = frozenset(
    {"internal", "photo_pull_failed", "video_pull_failed", "spam_risk_too_many_posts"}
)
# ...and those after which the publisher hands the post to TikTok again by itself, a few times:
# nothing was posted, and the cause (media restarting, TikTok's own hiccup) usually passes
AUTO_RETRY_FAIL_REASONS = frozenset({"internal", "photo_pull_failed", "video_pull_failed"})


def expired(approved: PostApproved, now: datetime, expiry: timedelta) -> str | None:
    """Why an approval not handed to TikTok by `now` has expired, or None while it holds: it
    lasts `expiry` after its publish time (publish_after, or when it was approved)."""
    since = approved.publish_after or approved.approved_at
    if now < since + expiry:
        return None
    days = expiry / timedelta(days=1)
    return (
        f"the approval expired: it could not be handed to TikTok within {days:g} days of its "
        "publish time; nothing was posted: approve it again if it should still go out"
    )
