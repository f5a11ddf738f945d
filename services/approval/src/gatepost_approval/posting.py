"""The posting page's rules in one place (TikTok's content sharing guidelines): whether the
person's choices can be posted, and what the page may offer while they choose. Approving enforces
them against fresh creator_info; the page asks them after each change (`POST /posting-page`)
instead of knowing them itself."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from gatepost_approval.domain import ApprovalChoices, ApprovalRefused, check_against_creator
from gatepost_common.events import MediaType

BRANDED_NOT_PRIVATE = "Branded content visibility cannot be set to private."
Agreement = Literal["music_usage_confirmation", "branded_content_policy"]


class CreatorFacts(BaseModel):
    """The account's creator_info, as the page loaded it."""

    privacy_level_options: list[str] = []  # as TikTok lists them
    comment_disabled: bool | None = None
    duet_disabled: bool | None = None
    stitch_disabled: bool | None = None
    max_video_post_duration_sec: int | None = None
    posting_blocked: str | None = None


class PostingQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    choices: ApprovalChoices
    creator: CreatorFacts
    media_type: MediaType = "PHOTO"
    video_duration_s: float | None = None
    ai_generated: bool = False


class PostingPage(BaseModel):
    """What the page shows for these choices."""

    can_post: bool
    problem: str | None  # why not yet, in TikTok's words where it has them
    private_offered: bool  # "Only me": not for branded content
    branded_offered: bool  # branded content: not for a private post
    exclusion: str | None  # TikTok's words on the side not offered, shown on hover
    comment_offered: bool
    duet_offered: bool
    stitch_offered: bool
    label: str | None  # how TikTok will label the post ("Promotional content", "Paid partnership")
    agreements: list[Agreement]  # what posting agrees to (none for a draft)


def posting_page(question: PostingQuestion) -> PostingPage:
    choices, facts = question.choices, question.creator
    problem = None
    try:
        choices.options(question.media_type, question.ai_generated)
        check_against_creator(choices, facts.model_dump(), question.video_duration_s)
    except ApprovalRefused as refusal:
        problem = str(refusal)
    branded = choices.disclosure and choices.branded_content
    label = (
        "Paid partnership"
        if branded
        else "Promotional content"
        if choices.disclosure and choices.your_brand
        else None
    )
    agreements: list[Agreement] = []
    if choices.post_mode == "DIRECT_POST":
        agreements = (
            ["branded_content_policy", "music_usage_confirmation"]
            if branded
            else ["music_usage_confirmation"]
        )
    return PostingPage(
        can_post=problem is None,
        problem=problem,
        private_offered=not branded,
        branded_offered=choices.privacy_level != "SELF_ONLY",
        exclusion=BRANDED_NOT_PRIVATE if branded or choices.privacy_level == "SELF_ONLY" else None,
        comment_offered=not facts.comment_disabled,
        duet_offered=not facts.duet_disabled,
        stitch_offered=not facts.stitch_disabled,
        label=label,
        agreements=agreements,
    )
