"""The image model is asked for a size it takes for the account's slide shape, and the OpenAI
stand-in (as strict as OpenAI) accepts each such request; the slide's own size is refused."""

from __future__ import annotations

from datetime import date

import pytest

from gatepost_common.slide_style import FORMATS, SlideFormat
from gatepost_generator.image_api import ImageFamily, size_for
from gatepost_standins.openai.config import OpenAIStandinConfig
from gatepost_standins.openai.rules import Refused, check_image_request

MODELS: dict[ImageFamily, str] = {
    "gpt-image-2": "gpt-image-2",
    "gpt-image": "gpt-image-1.5",
    "dall-e-3": "dall-e-3",
    "dall-e-2": "dall-e-2",
}
EXPECTED: dict[tuple[ImageFamily, SlideFormat], str] = {
    ("gpt-image-2", "1080x1080"): "1024x1024",
    ("gpt-image-2", "1080x1350"): "1088x1360",
    ("gpt-image-2", "1080x1920"): "1088x1920",
    ("gpt-image", "1080x1350"): "1024x1536",
    ("gpt-image", "1080x1920"): "1024x1536",
    ("dall-e-3", "1080x1920"): "1024x1792",
    ("dall-e-2", "1080x1920"): "1024x1024",
}
OPEN = OpenAIStandinConfig(serve_retired_models=True)


def asked(family: ImageFamily, size: str) -> dict[str, object]:
    body: dict[str, object] = {"model": MODELS[family], "prompt": "a lighthouse", "size": size}
    if family.startswith("dall-e"):
        body["response_format"] = "b64_json"
    return body


@pytest.mark.parametrize("family", sorted(MODELS))
@pytest.mark.parametrize("slide_format", FORMATS)
def test_each_shape_asks_a_size_the_model_takes(
    family: ImageFamily, slide_format: SlideFormat
) -> None:
    size = size_for(family, slide_format, "1024x1024")
    if (family, slide_format) in EXPECTED:
        assert size == EXPECTED[family, slide_format]
    request = check_image_request(asked(family, size), OPEN, date(2026, 12, 7))
    width, height = (int(side) for side in size.split("x"))
    assert (request.width, request.height) == (width, height)
    if family != "dall-e-2":  # DALL·E 2 draws squares only: media crops the middle of it
        assert height > width if slide_format != "1080x1080" else height == width


@pytest.mark.parametrize("size", ["1080x1920", "1080x1350"])
def test_the_slide_s_own_size_is_refused_as_openai_refuses_it(size: str) -> None:
    with pytest.raises(Refused) as refused:
        check_image_request(asked("gpt-image-2", size), OPEN, date(2026, 12, 7))
    assert refused.value.param == "size" and refused.value.code == "invalid_value"
