"""Settings of the publisher service."""

from typing import Annotated, Literal

from pydantic import Field

from gatepost_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "publisher"
    http_port: int = 8004
    session_public_key: str
    # The approval service's public key: post.approved signed by anything else is refused.
    approval_public_key: str
    auth_url: str = "http://127.0.0.1:8001"
    tiktok_api_base: str = "https://open.tiktokapis.com"
    tiktok_client_key: str
    tiktok_client_secret: str
    verified_url_prefixes: list[str] = []
    # TikTok allows 5 pending inbox shares (drafts) per creator within any 24 hours; a draft
    # over it waits until the oldest of the day is 24 hours old
    inbox_share_cap: int = 5
    # FILE_UPLOAD chunks: 10,000,000 bytes as in TikTok's worked example; 5 MiB to 32 MB, so
    # every chunk and a file sent whole (under two chunks) stays within both readings of "MB"
    upload_chunk_bytes: Annotated[int, Field(ge=5 * 1024 * 1024, le=32_000_000)] = 10_000_000
    upload_chunk_tries: int = 4  # one chunk, in one step, before the upload waits and resumes
    # a top-level is_aigc on AI-generated photo posts: TikTok's references disagree on whether
    # photos take it (tiktok-api.md §9), so it is off until confirmed; videos always carry it
    photo_is_aigc: bool = False
    # which side of a photo TikTok's 1080 px limit bounds: field reports say the short side
    # (1080x1920 portraits are posted); "long" reads the transfer guide's "Maximum 1080p" as the
    # long side, and then portrait slides are refused before anything is sent
    tiktok_photo_size_side: Literal["short", "long"] = "short"
    tiktok_max_photo_side: int = 1080
    # posts per creator within any 24 hours (TikTok counts a rolling day, not a calendar day):
    # below TikTok's ~15, shared with every other app the creator uses
    daily_cap: int = 10
    # per access token and minute, as TikTok documents them
    init_per_minute: int = 6  # content/init, video/init and inbox/video/init each
    creator_info_per_minute: int = 20
    status_per_minute: int = 30
    # jobs one replica works at once; waiting for TikTok or a rate-limit slot holds none of them
    publish_concurrency: int = 32
    # post.approved (and tiktok.webhook) partitions taken in side by side (approvals come in
    # bursts: a person approving a queue, a scheduled batch); more than the topic's partitions
    # stay idle
    intake_consumers: int = 4
    worker_interval_s: float = 1.0
    # the first status poll after init, each next one half as long again: webhooks come first
    status_poll_interval_s: float = 10.0
    # a token from auth is used again for this long (auth refreshes tokens well before they
    # expire; one TikTok rejects is asked for again at once, named by its hash, so replicas never
    # refresh each other's fresh tokens away): one auth call a minute per account, not per call
    token_reuse_s: float = 60.0
    status_poll_max_interval_s: float = 30.0
    lease_s: float = 120.0
    reconnect_check_s: float = 300.0  # a post waiting for its account to be reconnected
    transient_backoff_s: float = 1.0  # the first retry after a passing error; doubles each time
    # TikTok ended a post FAILED because it could not fetch the pictures (or failed itself):
    # the publisher hands it over again this many times before it fails for a person to see
    tiktok_failure_retries: int = 2
    max_retries: int = 10  # passing errors in a row before the post fails (and may be re-approved)
    rate_limited_backoff_s: float = 60.0  # after a 429: TikTok's windows are one minute
    defer_blocked_s: float = 3600.0  # when creator_info says the creator cannot post now
    # TikTok said a limit is reached (it counts a rolling 24 hours, with other apps' posts too,
    # so when a place frees is not known): the post asks again this much later
    defer_limit_s: float = 3600.0
    # an approval not handed to TikTok within this long after its publish time (publish_after,
    # or when it was approved) ends FAILED instead of waiting on for a reconnect or a ban to end
    approval_expiry_s: float = 7 * 86400.0
    webhook_tolerance_s: int = 300
    # a post approved for everyone that is still not public after this is flagged for a person
    public_grace_s: float = 3600.0
    # a post TikTok took but never settled (no webhook, no final status: TikTok's publishes can
    # stay in progress for good) is followed this long, then ends UNKNOWN with "check TikTok" and
    # the creator's profile link: TikTok may still post it, so it is never published again
    processing_timeout_s: Annotated[float, Field(gt=0)] = 21600.0
    # after PUBLISH_COMPLETE, a public post's id is followed (webhook first, then status polls
    # from this pause, doubling up to the max) for up to `live_follow_s`: moderation takes hours
    live_poll_first_s: float = 60.0
    live_poll_max_s: float = 3600.0
    live_follow_s: float = 259200.0
    # insights (issue 29): reading each public post's numbers with the Display API's video/query
    # (scope video.list, which auth then asks for); account totals with user.info.stats
    insights_enabled: bool = False
    insights_user_stats: bool = False
    # TikTok allows 600 video/query calls a minute: per app (the stricter reading, default) or
    # per access token ("token"); the collector takes this share of it, each creator at most
    # `insights_creator_per_minute` of that
    display_per_minute: int = 600
    display_limit_per: Literal["app", "token"] = "app"
    insights_budget_share: Annotated[float, Field(gt=0, le=1)] = 0.5
    insights_creator_per_minute: int = 10
    insights_interval_s: float = 5.0
    insights_lease_s: float = 120.0
    # whether TikTok has audited the app: an unaudited app posts only SELF_ONLY (none of its posts
    # has numbers) and for at most `unaudited_creator_cap` distinct creators within any 24 hours
    tiktok_app_audited: bool = True
    # TikTok's app-wide caps of distinct creators posting within any 24 hours
    # (`reached_active_user_cap` beyond them): 5 before the audit (TikTok's content sharing
    # guidelines), the cap TikTok granted after it (1,000 is what apps report); a post over it
    # waits until a creator's last post is a day old
    unaudited_creator_cap: Annotated[int, Field(ge=1)] = 5
    active_creator_cap: Annotated[int, Field(ge=1)] = 1000
