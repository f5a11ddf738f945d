"""Slides carry their words in every script the generator detects: covered by the font, inside
the safe area, legible (WCAG contrast measured on the output), never clipped, right-to-left where
the script is, and the same bytes for the same inputs. Uses Debian's Noto fonts (./dev installs
them)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from gatepost_common.slide_style import Style, contrast, relative_luminance
from gatepost_media.fonts import GlyphMissing, characters, check_coverage, face_for
from gatepost_media.typeset import (
    BODY_SCALE,
    SAFE,
    TextDoesNotFit,
    compose,
    encode,
    layers,
    without_emoji,
)

SAMPLES = {
    "vi": ("Cách giữ cây cảnh xanh tốt suốt mùa đông", "NotoSans-Bold.ttf"),
    "pl": ("Zdrowe nawyki, które zmieniają życie: źródło siły", "NotoSans-Bold.ttf"),
    "tr": ("Kışın ev bitkilerini canlı tutmanın yolları ğüşıöç", "NotoSans-Bold.ttf"),
    "ru": ("Как сохранить комнатные растения зимой", "NotoSans-Bold.ttf"),
    "uk": ("Як зберегти кімнатні рослини взимку: ґанок і її", "NotoSans-Bold.ttf"),
    "el": ("Πώς να κρατήσετε τα φυτά ζωντανά όλο τον χειμώνα", "NotoSans-Bold.ttf"),
    "ar": ("كيف تحافظ على نباتاتك المنزلية حية طوال الشتاء", "NotoSansArabic-Bold.ttf"),
    "fa": ("چگونه گیاهان آپارتمانی را در زمستان زنده نگه داریم", "NotoSansArabic-Bold.ttf"),
    "ur": ("سردیوں میں گھر کے پودوں کو زندہ کیسے رکھیں", "NotoSansArabic-Bold.ttf"),
    "he": ("איך לשמור על צמחי הבית בחיים כל החורף", "NotoSansHebrew-Bold.ttf"),
    "hi": ("सर्दियों में अपने घर के पौधों को कैसे जीवित रखें", "NotoSansDevanagari-Bold.ttf"),
    "bn": ("শীতকালে ঘরের গাছপালা কীভাবে বাঁচিয়ে রাখবেন", "NotoSansBengali-Bold.ttf"),
    "th": ("วิธีดูแลต้นไม้ในบ้านให้อยู่รอดตลอดฤดูหนาว", "NotoSansThai-Bold.ttf"),
    "zh": ("冬天如何让室内植物保持生机勃勃的十个方法", "NotoSansCJK-Bold.ttc"),
    "ja": ("冬の間ずっと観葉植物を元気に育てる方法", "NotoSansCJK-Bold.ttc"),
    "ko": ("겨울 내내 실내 식물을 건강하게 키우는 방법", "NotoSansCJK-Bold.ttc"),
}


def busy_picture() -> bytes:
    """Pure white, pure black and saturated bands: what lies behind text can be anything."""
    image = Image.new("RGB", (1080, 1080), "white")
    draw = ImageDraw.Draw(image)
    colours = ["black", "white", "yellow", "#00ffff", "#ff00ff", "#808080", "red", "white"]
    for i, colour in enumerate(colours):
        draw.rectangle((i * 135, 0, i * 135 + 134, 1079), fill=colour)
    draw.rectangle((0, 700, 1079, 760), fill="white")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


PICTURE = busy_picture()


def measured_contrast(slide_jpeg: bytes, made: object, text_colour: str) -> float:
    """The text's colour as it came out against the lightest (or darkest) pixel behind it,
    per channel, which bounds every pixel's luminance: a conservative ratio."""
    out = Image.open(io.BytesIO(slide_jpeg)).convert("RGB")
    mask = made.mask  # type: ignore[attr-defined]
    core = mask.point(lambda v: 255 if v >= 250 else 0).filter(ImageFilter.MinFilter(3))
    near = mask.filter(ImageFilter.MaxFilter(9))
    text = relative_luminance(ImageStat.Stat(out, core).median)
    extrema = ImageStat.Stat(made.behind, near).extrema  # type: ignore[attr-defined]
    lightest = relative_luminance([high for _, high in extrema])
    darkest = relative_luminance([low for low, _ in extrema])
    light_text = relative_luminance(Image.new("RGB", (1, 1), text_colour).getpixel((0, 0))) > 0.5
    return contrast(text, lightest if light_text else darkest)


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_each_script_is_set_legibly_inside_the_safe_area(language: str) -> None:
    text, font_file = SAMPLES[language]
    face = face_for(text, language, "Noto Sans")
    assert face.path.name == font_file
    check_coverage(text, face)  # no .notdef: every character is in the font's own map
    assert all(ord(c) in characters(face.path, face.index) for c in text if not c.isspace())
    style = Style()
    made = layers(PICTURE, [(text, 1.0)], language, style)
    ink = made.mask.getbbox()
    assert ink is not None
    left, top, right, bottom = ink
    assert SAFE[0] <= left and SAFE[1] <= top and right <= SAFE[2] and bottom <= SAFE[3], ink
    s_left, s_top, s_right, s_bottom = made.scrim
    assert s_left <= left and s_top <= top and right <= s_right and bottom <= s_bottom
    jpeg = encode(compose(PICTURE, [(text, 1.0)], language, style), 90)
    assert measured_contrast(jpeg, made, style.text_colour) >= 4.5
    assert jpeg == encode(compose(PICTURE, [(text, 1.0)], language, style), 90)


def inked(mask: Image.Image) -> int:
    return sum(mask.histogram()[129:])


def test_nothing_is_clipped_every_line_is_whole() -> None:
    """The ink of each line drawn alone on a large canvas equals its ink on the slide."""
    for language in ("th", "hi", "ar", "vi"):
        text = SAMPLES[language][0]
        made = layers(PICTURE, [(text, 1.0)], language, Style())
        assert made.layout is not None and len(made.layout.lines) >= 1
        total = 0
        for line in made.layout.lines:
            canvas = Image.new("L", (3000, 1000), 0)
            ImageDraw.Draw(canvas).text(
                (1500, 300),
                line.text,
                font=line.font,
                fill=255,
                anchor="ma",
                direction="rtl" if made.layout.face.rtl else "ltr",
                language=language,
            )
            total += inked(canvas)
        assert abs(inked(made.mask) - total) <= total * 0.01


def ink_runs(mask: Image.Image, box: tuple[int, int, int, int], gap: int) -> list[tuple[int, int]]:
    """Horizontal runs of inked columns inside `box`, split where `gap` empty columns lie."""
    crop = mask.crop(box)
    inked = [
        any(crop.getpixel((x, y)) > 128 for y in range(crop.height)) for x in range(crop.width)
    ]
    runs, start, empty = [], None, 0
    for x, on in enumerate(inked):
        if on:
            if start is None:
                start = x
            empty = 0
        elif start is not None:
            empty += 1
            if empty >= gap:
                runs.append((start, x - empty))
                start, empty = None, 0
    if start is not None:
        runs.append((start, len(inked) - 1 - empty))
    return runs


def test_right_to_left_text_runs_right_to_left() -> None:
    """The first word of a Hebrew line stands at its right end: a short first word, a long
    last one, and the rightmost run of ink is the short one."""
    first, last = "אם", "והסביבה"
    made = layers(PICTURE, [(f"{first} {last}", 1.0)], "he", Style())
    assert made.layout is not None and [line.text for line in made.layout.lines] == [
        f"{first} {last}"
    ]
    font = made.layout.lines[0].font
    runs = ink_runs(made.mask, made.mask.getbbox() or (0, 0, 1, 1), gap=max(4, font.size // 8))
    rightmost, leftmost = runs[-1], runs[0]
    short = font.getlength(first, direction="rtl", language="he")
    long = font.getlength(last, direction="rtl", language="he")
    assert abs((rightmost[1] - rightmost[0]) - short) < abs((rightmost[1] - rightmost[0]) - long)
    assert abs((leftmost[1] - leftmost[0]) - long) < abs((leftmost[1] - leftmost[0]) - short)


def test_the_cover_carries_the_title_above_the_slide_text() -> None:
    title, text = "Winter plant care", "Ten habits that keep them green"
    made = layers(PICTURE, [(title, 1.0), (text, BODY_SCALE)], "en", Style())
    assert made.layout is not None
    lines = made.layout.lines
    assert lines[0].text.startswith("Winter") and lines[0].font.size > lines[-1].font.size


def test_a_character_no_font_has_refuses_the_slide_with_its_name() -> None:
    with pytest.raises(GlyphMissing, match=r"U\+1200 ETHIOPIC SYLLABLE HA"):
        layers(PICTURE, [("ሀሁ Amharic words", 1.0)], "en", Style())


def test_text_too_long_for_a_slide_is_refused_not_clipped() -> None:
    with pytest.raises(TextDoesNotFit):
        layers(PICTURE, [("word " * 200, 1.0)], "en", Style())


def test_emoji_are_taken_off_the_slide_and_nothing_else() -> None:
    assert without_emoji("Save this 🌱✨ for later 👩🏽‍💻") == "Save this for later"
    persian = "می\u200cخواهم"  # the zero-width non-joiner is part of Persian spelling
    assert without_emoji(persian) == persian


def test_a_style_whose_colours_cannot_be_read_is_refused() -> None:
    with pytest.raises(ValueError, match="too close"):
        Style(text_colour="#777777", box_colour="#666666")
    dark_on_light = Style(text_colour="#111111", box_colour="#FFFFFF", position="top")
    made = layers(PICTURE, [("Readable either way", 1.0)], "en", dark_on_light)
    jpeg = encode(compose(PICTURE, [("Readable either way", 1.0)], "en", dark_on_light), 90)
    assert measured_contrast(jpeg, made, dark_on_light.text_colour) >= 4.5
    assert made.scrim[1] == SAFE[1]  # top


def test_the_same_inputs_give_the_same_bytes_and_other_inputs_others() -> None:
    one = encode(compose(PICTURE, [("Same words", 1.0)], "en", Style()), 90)
    assert one == encode(compose(PICTURE, [("Same words", 1.0)], "en", Style()), 90)
    other = encode(compose(PICTURE, [("Other words", 1.0)], "en", Style()), 90)
    assert one != other
    assert ImageChops.difference(
        Image.open(io.BytesIO(one)), Image.open(io.BytesIO(other))
    ).getbbox()
