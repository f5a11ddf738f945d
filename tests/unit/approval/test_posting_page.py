"""The posting page's rules, asked as the page asks them: nothing can be posted before privacy is
chosen; disclosure needs a kind; branded content and "Only me" exclude each other; the creator's
settings switch interactions off; a draft agrees to nothing; a video longer than the account may
post, or an account that cannot post now, cannot be posted."""

from __future__ import annotations

from typing import Any

from gatepost_approval.posting import BRANDED_NOT_PRIVATE, PostingQuestion, posting_page

CREATOR = {
    "privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"],
    "comment_disabled": False,
    "duet_disabled": False,
    "stitch_disabled": True,
    "max_video_post_duration_sec": 60,
}


def ask(creator: dict[str, Any] | None = None, **question: Any) -> Any:
    choices = {"music_usage_consent": True, **question.pop("choices", {})}
    return posting_page(
        PostingQuestion.model_validate(
            {"choices": choices, "creator": creator or CREATOR, **question}
        )
    )


def test_nothing_is_posted_before_privacy_is_chosen() -> None:
    page = ask()
    assert not page.can_post and page.problem == "Choose who can see this post."
    assert ask(choices={"privacy_level": "PUBLIC_TO_EVERYONE"}).can_post


def test_disclosure_needs_a_kind_and_labels_the_post() -> None:
    choices = {"privacy_level": "PUBLIC_TO_EVERYONE", "disclosure": True}
    page = ask(choices=choices)
    assert not page.can_post and "yourself, a third party, or both" in str(page.problem)
    assert ask(choices={**choices, "your_brand": True}).label == "Promotional content"
    branded = ask(choices={**choices, "branded_content": True})
    assert branded.can_post and branded.label == "Paid partnership"
    assert branded.agreements == ["branded_content_policy", "music_usage_confirmation"]
    assert not branded.private_offered  # "Only me" is not offered for branded content
    assert branded.exclusion == BRANDED_NOT_PRIVATE


def test_branded_content_is_not_offered_for_a_private_post() -> None:
    private = ask(choices={"privacy_level": "SELF_ONLY"})
    assert private.can_post and not private.branded_offered
    both = ask(choices={"privacy_level": "SELF_ONLY", "disclosure": True, "branded_content": True})
    assert not both.can_post and both.problem == BRANDED_NOT_PRIVATE


def test_the_creators_settings_decide_the_interactions_and_what_can_be_posted() -> None:
    page = ask(
        choices={"privacy_level": "PUBLIC_TO_EVERYONE"}, media_type="VIDEO", video_duration_s=30
    )
    assert (page.comment_offered, page.duet_offered, page.stitch_offered) == (True, True, False)
    stitched = ask(
        choices={"privacy_level": "PUBLIC_TO_EVERYONE", "allow_stitch": True},
        media_type="VIDEO",
        video_duration_s=30,
    )
    assert not stitched.can_post and "Stitch is turned off" in str(stitched.problem)
    too_long = ask(
        choices={"privacy_level": "PUBLIC_TO_EVERYONE"}, media_type="VIDEO", video_duration_s=61
    )
    assert not too_long.can_post and "up to 60 s" in str(too_long.problem)
    blocked = ask(
        {**CREATOR, "posting_blocked": "spam_risk_too_many_posts"},
        choices={"privacy_level": "PUBLIC_TO_EVERYONE"},
    )
    assert not blocked.can_post and "cannot post right now" in str(blocked.problem)
    unoffered = ask(choices={"privacy_level": "MUTUAL_FOLLOW_FRIENDS"})
    assert not unoffered.can_post and "not offered by this account" in str(unoffered.problem)


def test_a_draft_for_the_inbox_asks_nothing_and_agrees_to_nothing() -> None:
    draft = ask(choices={"post_mode": "MEDIA_UPLOAD", "music_usage_consent": False})
    assert draft.can_post and draft.agreements == []
