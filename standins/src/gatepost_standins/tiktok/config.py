"""Stand-in settings: from `TIKTOK_STANDIN_*` variables or a JSON file given on the command line,
and replaceable at run time through the control API. Where TikTok's behaviour is unconfirmed (see
the reference spec), it is a setting here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from gatepost_standins.tiktok.display_settings import DisplaySettings


class Fault(BaseModel):
    """Faults for one endpoint path. Rates are probabilities; `next_*` counters hit the next
    requests deterministically (what tests use)."""

    latency_ms: int = 0  # before the request is handled
    response_delay_ms: int = 0  # after it was handled: the work is done, the answer is late
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    drop_rate: float = 0.0
    next_errors: int = 0
    # the request is handled (a post is created), then answered with the error
    error_after_acting_rate: float = 0.0
    next_errors_after_acting: int = 0
    next_timeouts: int = 0
    next_drops: int = 0
    error_status: int = 500
    error_code: str = "internal_error"  # any TikTok code, e.g. url_ownership_unverified
    timeout_s: float = 30.0
    # the request is handled (a chunk accepted), then its answer is lost on the way back, as an
    # edge in front of TikTok loses it: the connection reset, no answer (a time-out), or a 502
    answer_lost_rate: float = 0.0
    next_answers_lost: int = 0
    lost_as: Literal["reset", "timeout", "502"] = "reset"
    # only answers of this status are lost (201: the final chunk's), any when None
    lose_only_status: int | None = None


class TikTokStandinConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIKTOK_STANDIN_", extra="forbid")

    # the default app, created at start; more come through the control API
    client_key: str = "gatepost-local"
    client_secret: str = "local-only-tiktok-client-secret"
    redirect_uris: list[str] = ["http://127.0.0.1:8080/api/auth/tiktok/callback"]
    platform: str = "web"  # "desktop": PKCE with hex SHA-256 is required
    strict_pkce: bool = False  # web apps: verify a code_challenge when one was sent
    audited: bool = True  # unaudited clients may post only SELF_ONLY, from private accounts
    # the default creator
    creator_nickname: str = "Local Creator"
    creator_username: str = "local.creator"
    creator_private_account: bool = False

    auto_consent: bool = False
    # which of the requested scopes the person grants (None: all); TikTok lets people grant a
    # part of them (tiktok-api.md §9, partial consent)
    granted_scopes: list[str] | None = None
    # TikTok's token pages updated in 2026-11 give 2 hours and 180 days (older pages: 24 h and
    # 365 days "after the initial issuance"); a rotated refresh token keeps the chain's end
    access_token_ttl_s: int = 7200
    refresh_token_ttl_s: int = 15_552_000
    refresh_expiry_slides: bool = False
    code_ttl_s: int = 300
    # failed OAuth calls answered with HTTP 200 and the flat error body, as client authors
    # report of real TikTok (UNCONFIRMED in the docs, whose mocks show 400)
    oauth_errors_http_200: bool = True
    # revoke's errors (a token unknown or already ended): with HTTP 200 and the flat error body,
    # as the token endpoint's are in the field (a client that checks only the status believes the
    # revoke went through: the more surprising reading), or with HTTP 400 as the OAuth docs' mocks
    # show (False). UNCONFIRMED for revoke either way: TikTok's revoke page lists no error
    revoke_errors_http_200: bool = True
    # malformed authorize requests (scope, state, response_type): TikTok shows its own error page
    # instead of redirecting to the app (False), as for an unknown client or redirect URI
    authorize_errors_redirect: bool = False
    # the init validation code: real answers say "invalid_params", the reference tables
    # "invalid_param"
    param_error_code: str = "invalid_params"
    # UNCONFIRMED whether a refresh ends the previous access token; TikTok rotates refresh tokens
    refresh_revokes_access_token: bool = False

    verified_url_prefixes: list[str] = []
    # TikTok verifies URL prefixes of host names only ("host must not be an IP"); the local run
    # serves media from 127.0.0.1 and turns this on
    ip_url_prefixes: bool = False
    verified_domains: list[str] = []
    # TikTok pulls https only; the credential-less local run serves media over plain http
    require_https: bool = True
    max_image_bytes: int = 20_000_000
    max_image_side: int = 1080  # the media transfer guide: "Maximum 1080p"
    max_video_bytes: int = 4_000_000_000
    # "MB" in the chunk rules: 10^6 or 2^20 is unconfirmed; "strict" refuses what either refuses
    mb_base: Literal["strict", "decimal", "binary", "either"] = "strict"
    # a top-level `is_aigc` on a photo init: one 2026-09 copy of the reference shows it, older
    # copies and clients do not (tiktok-api.md §9); refused unless this is on
    photo_is_aigc_accepted: bool = False
    upload_url_ttl_s: int = 3600
    # a chunk PUT after the last byte arrived: 404 "no valid upload task" (processing has begun,
    # the stricter reading); True answers 416 with what TikTok holds while it is processing
    completed_upload_answers_416: bool = False
    upload_base_url: str = ""  # default: the address the init request came to

    daily_post_cap: int = 15
    pending_share_cap: int = 5
    active_user_cap: int = 1000
    rate_limits: dict[str, int] = Field(
        default_factory=lambda: {
            "/v2/post/publish/content/init/": 6,
            "/v2/post/publish/video/init/": 6,
            "/v2/post/publish/inbox/video/init/": 6,
            "/v2/post/publish/creator_info/query/": 20,
            "/v2/post/publish/status/fetch/": 30,
            "/v2/user/info/": 600,
        }
    )
    processing_delay_s: float = 0.0
    # the public post id comes minutes after PUBLISH_COMPLETE (hours at times); tests shorten it
    moderation_delay_s: float = 90.0
    # cancel is documented for PULL_FROM_URL tasks; a FILE_UPLOAD still uploading is refused
    cancel_file_uploads: bool = False

    webhook_url: str = ""
    webhook_duplicates: int = 0  # extra copies of every delivery, to exercise dedupe
    webhook_retry_delays_s: list[float] = [1.0, 2.0, 4.0, 8.0, 16.0]
    faults: dict[str, Fault] = {}
    random_seed: int | None = None
    # the Display API (video/query, video/list, user/info stats): display_settings.py
    display: DisplaySettings = Field(default_factory=DisplaySettings)

    # --- round three (issue 35): where the stand-in overshot, app-wide caps, sandbox; each
    # with its source in docs/tiktok-standin.md ---
    # which side of a photo `max_image_side` bounds: field reports put 1080 px on the short
    # side (1080x1920 portraits are posted); "long": the transfer guide's "Maximum 1080p" read
    # as the long side, as the stand-in did before
    photo_size_side: Literal["short", "long"] = "short"
    min_image_side: int = 360  # clients check a 360 px minimum: a smaller side fails the check
    # disable_duet, disable_stitch, video_cover_timestamp_ms, is_aigc on a photo post: field
    # reports say TikTok ignores them; "refused": invalid_params, as the photo reference reads
    photo_video_fields: Literal["ignored", "refused"] = "ignored"
    # an unaudited app: at most this many distinct creators post through it in any 24 h
    # (reached_active_user_cap, as for `active_user_cap`)
    unaudited_creator_cap: int = 5
    # an inbox draft the creator did not finish within this time leaves their inbox
    inbox_draft_ttl_s: float = 86400.0
    # publishes that stay in progress and never settle (a rate, or the next n deterministically)
    stuck_publish_rate: float = 0.0
    next_stuck_publishes: int = 0
    # sandbox: only the target users (usernames) may authorise the app; every post SELF_ONLY
    sandbox: bool = False
    sandbox_target_users: list[str] = []
    # user/info asked for a field whose scope was not granted: what the field saw (401
    # scope_not_authorized), or what the docs say (400 scope_permission_missed)
    user_info_scope_error: Literal["scope_not_authorized", "scope_permission_missed"] = (
        "scope_not_authorized"
    )
