"""Carousel text rules and the one-post-per-topic id."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gatepost_common.events import utf16_units
from gatepost_generator.domain import CarouselText, post_id_for


def carousel(**fields: object) -> dict[str, object]:
    slides = [{"text": f"slide {i}", "image_prompt": f"prompt {i}"} for i in range(7)]
    return {
        "title": "A hook",
        "caption": "Caption ✨",
        "hashtags": ["#a", "#b", "#c"],
        "slides": slides,
        **fields,
    }


def test_title_limit_counts_utf16_units() -> None:
    assert utf16_units("😀") == 2
    CarouselText.model_validate(carousel(title="😀" * 45))
    with pytest.raises(ValidationError, match="UTF-16"):
        CarouselText.model_validate(carousel(title="😀" * 46))


@pytest.mark.parametrize(
    "tags", [["#a", "#b"], ["#a", "#b", "#c", "#d", "#e", "#f"], ["a", "b", "c"]]
)
def test_three_to_five_hashtags_each_with_a_hash(tags: list[str]) -> None:
    with pytest.raises(ValidationError):
        CarouselText.model_validate(carousel(hashtags=tags))


def test_exactly_seven_slides() -> None:
    with pytest.raises(ValidationError):
        CarouselText.model_validate(carousel(slides=carousel()["slides"][:6]))  # type: ignore[index]


def test_a_topic_always_maps_to_the_same_post_id() -> None:
    assert post_id_for("topic-1") == post_id_for("topic-1") != post_id_for("topic-2")
