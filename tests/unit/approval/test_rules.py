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
    with pytest.raises(ValidationError):
        ApprovalChoices.model_validate({"music_usage_consent": True})


def test_music_usage_consent_is_required() -> None:
    with pytest.raises(ValidationError):
        choices(music_usage_consent=False)


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
