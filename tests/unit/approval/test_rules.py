"""The approval dialog's rules (TikTok's content sharing guidelines), enforced by the service."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gatepost_approval.domain import ApprovalChoices, ApprovalRefused


def choices(**fields: object) -> ApprovalChoices:
    return ApprovalChoices.model_validate(
        {"privacy_level": "PUBLIC_TO_EVERYONE", "music_usage_consent": True, **fields}
    )


def test_privacy_level_has_no_default() -> None:
    with pytest.raises(ApprovalRefused, match="who can see"):
        ApprovalChoices.model_validate({"music_usage_consent": True}).options()


def test_music_usage_consent_is_required() -> None:
    with pytest.raises(ApprovalRefused, match="Music Usage"):
        choices(music_usage_consent=False).options()
    with pytest.raises(ValidationError):
        choices(music_usage_consent="yes please")


def test_an_inbox_draft_takes_only_the_caption() -> None:
    """TikTok's inbox flow takes no privacy, interaction or disclosure choices: the creator
    makes them in the app, so the draft's options carry none of them."""
    draft = ApprovalChoices.model_validate({"post_mode": "MEDIA_UPLOAD"}).options("VIDEO")
    assert draft.privacy_level is None and not draft.brand_content_toggle


def test_video_options_follow_the_choices_and_photos_get_none_of_them() -> None:
    chosen = choices(allow_duet=True, video_cover_timestamp_ms=1500, auto_add_music=True)
    video = chosen.options("VIDEO", ai_generated=True)
    assert (video.disable_duet, video.disable_stitch, video.video_cover_timestamp_ms) == (
        False,
        True,
        1500,
    )
    assert video.is_aigc and not video.auto_add_music
    photo = chosen.options("PHOTO", ai_generated=True)
    assert photo.auto_add_music and not photo.is_aigc
    assert (photo.disable_duet, photo.video_cover_timestamp_ms) == (False, None)


def test_comments_stay_off_unless_allowed() -> None:
    assert choices().options().disable_comment is True
    assert choices(allow_comment=True).options().disable_comment is False


def test_disclosure_on_needs_at_least_one_kind() -> None:
    with pytest.raises(ApprovalRefused, match="promotes yourself, a third party, or both"):
        choices(disclosure=True).options()
    options = choices(disclosure=True, your_brand=True).options()
    assert (options.brand_organic_toggle, options.brand_content_toggle) == (True, False)


def test_branded_content_cannot_be_private() -> None:
    with pytest.raises(ApprovalRefused, match="cannot be set to private"):
        choices(privacy_level="SELF_ONLY", disclosure=True, branded_content=True).options()


def test_a_list_of_posts_is_not_an_approval() -> None:
    with pytest.raises(ValidationError):
        choices(post_ids=["a", "b"])
