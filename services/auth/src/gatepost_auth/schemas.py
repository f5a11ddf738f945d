"""What auth's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from gatepost_auth.domain import Account, AccountStatus
from gatepost_common.slide_style import Style


class Me(BaseModel):
    user_id: str
    email: str


class Session(Me):
    """A session just started (its token is in an HttpOnly cookie)."""

    csrf_token: str  # echoed in X-CSRF-Token by the page's script


class SignupAnswer(BaseModel):
    """The same for every address: whether it has an account is not told."""

    detail: str
    mailbox: str | None = None  # a local run's mailbox page


class AccountView(BaseModel):
    """A connected TikTok account (its tokens never leave auth)."""

    account_id: str
    display_name: str | None = None
    avatar_url: str | None = None
    status: AccountStatus | None = None  # none for a moment while it is being connected
    open_id: str | None = None
    scope: str | None = None
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    reauth_reason: str | None = None
    # the connection's health: when TikTok last issued its tokens, refreshes that failed in a
    # row (TikTok unreachable) and when the next try is
    tokens_at: datetime | None = None
    refresh_failures: int | None = None
    next_refresh_at: datetime | None = None
    style: Style
    # what worked, fed back: off unless the person switched it on for this account
    learn_from_posts: bool = False

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls.model_validate(
            {**account, "account_id": account["_id"], "style": account.get("style") or {}}
        )


class CreatorInfo(BaseModel):
    """TikTok's creator_info, as the posting page needs it."""

    creator_nickname: str | None = None
    creator_username: str | None = None
    creator_avatar_url: str | None = None
    # as TikTok lists them: one it adds later is shown, not refused (approving checks it)
    privacy_level_options: list[str] = []
    comment_disabled: bool | None = None
    duet_disabled: bool | None = None
    stitch_disabled: bool | None = None
    max_video_post_duration_sec: int | None = None
    posting_blocked: str | None = None  # TikTok's code when the creator cannot post now


class AccessToken(BaseModel):
    access_token: str
    open_id: str  # the creator it speaks for: TikTok's daily limit is counted per creator


class OwnedAccount(BaseModel):
    account_id: str
    status: AccountStatus | None = None
    open_id: str | None = None
    learn_from_posts: bool = False  # the person's opt-in to "what worked, fed back"


class Learning(BaseModel):
    """Whether this account's earlier posts are fed back: summaries, and style examples."""

    learn_from_posts: bool
