"""Fonts are opened per script when a slide first needs them, only the most recently used sizes
stay open (a CJK face's shaping tables take ~2 MB a size), and text is set one slide at a time."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFont

from gatepost_common.slide_style import Style
from gatepost_media import typeset
from gatepost_media.fonts import Face, face_for
from gatepost_media.open_fonts import SETTING_TEXT, OpenFonts, font_at
from gatepost_media.typeset import compose


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1080, 1080), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def test_a_latin_slide_opens_no_font_of_another_script() -> None:
    font_at.clear()

    compose(picture(), [("Small balcony garden ideas", 1.0)], "en", Style())

    assert font_at.scripts() == {"latin"}


def test_a_japanese_slide_opens_the_cjk_font_when_first_needed() -> None:
    font_at.clear()
    compose(picture(), [("Small balcony garden ideas", 1.0)], "en", Style())

    compose(picture(), [("ベランダで楽しむ小さな家庭菜園", 1.0)], "ja", Style())

    assert font_at.scripts() == {"latin", "japanese"}


def test_only_the_most_recently_used_sizes_stay_open() -> None:
    fonts = OpenFonts(kept=2)
    face = face_for("Small balcony garden ideas", "en", "Noto Sans")
    first = fonts(face, 40)
    fonts(face, 42)

    assert fonts(face, 40) is first  # used again: now the most recent
    fonts(face, 44)  # the third size closes the least recently used (42)

    assert len(fonts) == 2
    assert fonts(face, 40) is first
    assert {size for _, size in fonts.open} == {40, 44}


def test_fonts_are_used_only_while_text_setting_is_held(monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[bool] = []

    def watched(face: Face, size: int) -> ImageFont.FreeTypeFont:
        held.append(SETTING_TEXT.locked())
        return font_at(face, size)

    monkeypatch.setattr(typeset, "font_at", watched)

    compose(picture(), [("ベランダで楽しむ小さな家庭菜園", 1.0)], "ja", Style())

    assert held and all(held)
