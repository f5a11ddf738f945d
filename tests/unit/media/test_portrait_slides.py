"""Portrait slides (1080×1350 and 1080×1920): the picture is made in the slide's shape in the
confined child, and the words are set inside the safe area measured for that shape, in Latin,
Arabic and CJK."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from gatepost_common.slide_style import Style
from gatepost_media.confinement import ChildLimits, Confinement
from gatepost_media.domain import RejectedImage
from gatepost_media.image_tools import ImageTools
from gatepost_media.typeset import SAFE, compose, encode, layers, safe_area

WORDS = {
    "en": "Keep house plants green all winter long",
    "ar": "كيف تحافظ على نباتاتك المنزلية حية طوال الشتاء",
    "ja": "冬の間ずっと観葉植物を元気に育てる方法",
}


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, "PNG")
    return out.getvalue()


def picture(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_the_safe_area_is_measured_for_each_shape() -> None:
    """Square slides keep their area; a 4:5 slide sits centred on the 9:16 screen, so only its
    own margins bound it; a full-screen slide is kept out of TikTok's tabs (top 250 px), its
    caption and sound (bottom 420 px) and its buttons (right 170 px, and the slide's 17 %)."""
    assert safe_area(1080, 1080) == SAFE == (86, 108, 896, 864)
    assert safe_area(1080, 1350) == (86, 135, 896, 1080)
    assert safe_area(1080, 1920) == (86, 250, 896, 1500)


def test_an_upload_becomes_a_picture_of_the_slide_format_in_the_confined_child() -> None:
    tools = ImageTools(Confinement(ChildLimits()))
    for asked, made in [("1080x1920", (1080, 1920)), ("1080x1350", (1080, 1350))]:
        image = asyncio.run(
            tools.normalise(
                png((1024, 1536)), max_pixels=40_000_000, quality=90, fit="crop", slide_format=asked
            )
        )
        assert Image.open(io.BytesIO(image.jpeg)).size == made
    square = asyncio.run(
        tools.normalise(
            png((1024, 1536)),
            max_pixels=40_000_000,
            quality=90,
            fit="crop",
            slide_format="1080x1080",
        )
    )
    assert Image.open(io.BytesIO(square.jpeg)).size == (1080, 1080)
    with pytest.raises(RejectedImage, match="not a readable image"):
        asyncio.run(
            tools.normalise(
                b"no image", max_pixels=10, quality=90, fit="crop", slide_format="1080x1920"
            )
        )
    with pytest.raises(RejectedImage, match="more than"):
        asyncio.run(
            tools.normalise(
                png((1024, 1536)), max_pixels=1000, quality=90, fit="crop", slide_format="1080x1920"
            )
        )


@pytest.mark.parametrize("size", [(1080, 1920), (1080, 1350)])
@pytest.mark.parametrize("language", sorted(WORDS))
def test_words_sit_inside_the_shape_s_safe_area(size: tuple[int, int], language: str) -> None:
    for position in ("top", "center", "bottom"):
        style = Style(position=position, format=f"{size[0]}x{size[1]}")  # type: ignore[arg-type]
        made = layers(picture(size), [(WORDS[language], 1.0)], language, style)
        left, top, right, bottom = safe_area(*size)
        ink = made.mask.getbbox()
        assert ink is not None
        assert left <= ink[0] and top <= ink[1] and ink[2] <= right and ink[3] <= bottom, ink
        s_left, s_top, s_right, s_bottom = made.scrim
        assert left <= s_left and top <= s_top and s_right <= right and s_bottom <= bottom
    slide = compose(picture(size), [(WORDS[language], 1.0)], language, Style())
    assert slide.size == size, "the slide keeps its picture's shape"


def test_a_full_screen_slide_s_words_sit_below_the_tabs_and_above_the_caption() -> None:
    size = (1080, 1920)
    top = layers(picture(size), [(WORDS["en"], 1.0)], "en", Style(position="top"))
    assert top.scrim[1] == 250
    bottom = layers(picture(size), [(WORDS["en"], 1.0)], "en", Style(position="bottom"))
    assert bottom.scrim[3] == 1500


def test_a_picture_of_no_slide_shape_is_made_square_as_before() -> None:
    slide = compose(picture((800, 600)), [(WORDS["en"], 1.0)], "en", Style())
    assert slide.size == (1080, 1080)
    jpeg = encode(slide, 90)
    assert jpeg == encode(compose(picture((800, 600)), [(WORDS["en"], 1.0)], "en", Style()), 90)
