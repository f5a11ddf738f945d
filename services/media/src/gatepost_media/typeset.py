"""Setting a slide's words on its picture, so they read on a phone in any script.

- **Safe area** (`safe_area`, numbers and sources in docs/generation.md). A photo is shown
  across the width of a 9:16 phone screen, centred; TikTok's own interface covers the right-hand
  column of buttons (like, comment, share), the caption and sound bar at the bottom, and its tabs
  at the top. Text is kept inside x 8 %–83 % and y 10 %–80 % of the slide, and, on a full-screen
  1080×1920 slide, out of the screen's top 250 px, bottom 420 px and right 170 px: square
  (86, 108, 896, 864), 1080×1350 (86, 135, 896, 1080), 1080×1920 (86, 250, 896, 1500).
- **Largest size that fits.** Lines are broken where Unicode line breaking (ICU's UAX #14
  implementation, with its dictionaries for Thai and other scripts without spaces) allows, never
  inside a word; the size is the largest at which every line fits the box. Text that cannot fit
  at the smallest size is refused, never clipped.
- **Shaping and direction** come from libraqm (HarfBuzz, FriBiDi) in Pillow: joined Arabic and
  Persian, Indic conjuncts, right-to-left lines.
- **Contrast.** A scrim of the style's box colour sits behind the text, opaque enough that the
  text keeps at least 4.5:1 (WCAG) against any picture (`scrim_alpha`).
- **Emoji are removed** from on-slide text (they stay in the caption): colour emoji fonts are
  bitmaps at one size, and would be the one part of a slide that is not set at the fitted size.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from gatepost_common.errors import RefusedInput
from gatepost_common.slide_style import FORMATS, Family, Style, dimensions, rgb
from gatepost_media.breaking import pieces
from gatepost_media.contrast import scrim_alpha
from gatepost_media.fonts import Face, check_coverage, face_for
from gatepost_media.open_fonts import SETTING_TEXT, font_at

SIDE = 1080
SHAPES = frozenset(dimensions(f) for f in FORMATS)  # the slide sizes media composes
# TikTok's interface over a 1080x1920 screen: its tabs, its caption and sound, its buttons
SCREEN = (1080, 1920)
COVERED_TOP, COVERED_BOTTOM, COVERED_RIGHT = 250, 420, 170
PADDING = 28  # scrim around the text
MAX_SIZE, MIN_SIZE = 112, 30
LINE_SPACING = 1.0  # Noto's ascent and descent already leave room for stacked marks
BODY_SCALE = 0.6  # the cover's slide text, under its title
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u3030\u303d\u3297\u3299]"
    "(?:\ufe0f|[\U0001f3fb-\U0001f3ff]|\u200d[\U0001f000-\U0001faff\u2600-\u27bf])*\ufe0f?"
    "|\ufe0f|\u20e3"
)


class TextDoesNotFit(RefusedInput, ValueError):
    """Even at the smallest size the text does not fit the safe area."""


def safe_area(width: int, height: int) -> tuple[int, int, int, int]:
    """Left, top, right, bottom of where words may sit on a slide of this size: the slide's own
    margins, and clear of what TikTok draws over it when it is shown across the screen's width,
    centred."""
    scale = SCREEN[0] / width
    offset = (SCREEN[1] - height * scale) / 2  # the slide's top on the screen
    top = max(round(height * 0.10), round((COVERED_TOP - offset) / scale))
    bottom = min(round(height * 0.80), round((SCREEN[1] - COVERED_BOTTOM - offset) / scale))
    right = min(round(width * 0.83), round((SCREEN[0] - COVERED_RIGHT) / scale))
    return round(width * 0.08), top, right, bottom


SAFE = safe_area(SIDE, SIDE)  # a square slide's: (86, 108, 896, 864)


def without_emoji(text: str) -> str:
    return " ".join(EMOJI.sub("", text).split())


@dataclass(frozen=True)
class Line:
    text: str
    font: ImageFont.FreeTypeFont
    height: int


@dataclass(frozen=True)
class Layout:
    lines: list[Line]
    face: Face
    language: str

    @property
    def height(self) -> int:
        return sum(line.height for line in self.lines)


def width_of(text: str, font: ImageFont.FreeTypeFont, face: Face, language: str) -> float:
    return font.getlength(text, direction="rtl" if face.rtl else "ltr", language=language)


def wrap(
    parts: list[str], font: ImageFont.FreeTypeFont, face: Face, language: str, width: int
) -> list[str] | None:
    """Lines at the break opportunities, or None when one unbreakable piece is too wide."""
    lines: list[str] = []
    current = ""
    for piece in parts:
        candidate = current + piece
        if width_of(candidate.rstrip(), font, face, language) <= width:
            current = candidate
        else:
            if width_of(piece.rstrip(), font, face, language) > width:
                return None  # a word wider than the box: a smaller size, never a broken word
            lines.append(current.rstrip())
            current = piece
        if piece.endswith("\n"):
            lines.append(current.rstrip())
            current = ""
    if current.strip():
        lines.append(current.rstrip())
    return [line for line in lines if line]


def layout(
    blocks: list[tuple[str, float]],
    language: str,
    family: Family,
    max_height: int,
    safe: tuple[int, int, int, int] = SAFE,
) -> Layout:
    """The largest size at which every block (text, scale) fits the box: one layout."""
    joined = " ".join(text for text, _ in blocks)
    face = face_for(joined, language, family)
    for text, _ in blocks:
        check_coverage(text, face)
    width = safe[2] - safe[0] - 2 * PADDING
    broken = [(pieces(text, language), scale) for text, scale in blocks]
    for size in range(MAX_SIZE, MIN_SIZE - 1, -2):
        lines: list[Line] = []
        for parts, scale in broken:
            font = font_at(face, max(int(size * scale), MIN_SIZE // 2))
            wrapped = wrap(parts, font, face, language, width)
            if wrapped is None:
                break
            ascent, descent = font.getmetrics()
            lines += [Line(t, font, int((ascent + descent) * LINE_SPACING)) for t in wrapped]
        else:
            found = Layout(lines, face, language)
            if found.height <= max_height:
                return found
    raise TextDoesNotFit(f"the text does not fit a slide even at {MIN_SIZE} px: shorten it")


@dataclass(frozen=True)
class Layers:
    """A composed slide before the text is inked: the picture with its scrim (`behind`), the
    text's mask (0–255), where the scrim lies, and the layout (None: no words)."""

    behind: Image.Image
    mask: Image.Image
    scrim: tuple[int, int, int, int]
    layout: Layout | None


def layers(picture: bytes, blocks: list[tuple[str, float]], language: str, style: Style) -> Layers:
    blocks = [(without_emoji(text), scale) for text, scale in blocks]
    blocks = [(text, scale) for text, scale in blocks if text]
    with Image.open(io.BytesIO(picture)) as opened:
        canvas = opened.convert("RGB")
    if canvas.size not in SHAPES:  # the picture's shape is the slide's: square, 4:5 or 9:16
        canvas = canvas.resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    mask = Image.new("L", canvas.size, 0)
    if not blocks:
        return Layers(canvas, mask, (0, 0, 0, 0), None)
    safe = safe_area(*canvas.size)
    with SETTING_TEXT:  # FreeType faces are shared by media's threads, and not thread-safe
        safe_height = safe[3] - safe[1]
        room = int(min(safe_height, SAFE[3] - SAFE[1]) * 0.7) - 2 * PADDING  # as on a square
        found = layout(blocks, language, style.family, room, safe)
        box_height = found.height + 2 * PADDING
        top = {
            "top": safe[1],
            "center": safe[1] + (safe_height - box_height) // 2,
            "bottom": safe[3] - box_height,
        }[style.position]
        widest = max(width_of(line.text, line.font, found.face, language) for line in found.lines)
        centre = (safe[0] + safe[2]) // 2
        half = int(widest) // 2 + PADDING
        scrim = (centre - half, top, centre + half, top + box_height)
        overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
        alpha = round(255 * scrim_alpha(style.text_colour, style.box_colour))
        ImageDraw.Draw(overlay).rounded_rectangle(
            scrim, radius=24, fill=(*rgb(style.box_colour), alpha)
        )
        behind = Image.alpha_composite(canvas.convert("RGBA"), overlay).convert("RGB")
        ink = ImageDraw.Draw(mask)
        y = top + PADDING
        for line in found.lines:
            ink.text(
                (centre, y),
                line.text,
                font=line.font,
                fill=255,
                anchor="ma",
                direction="rtl" if found.face.rtl else "ltr",
                language=language,
            )
            y += line.height
    return Layers(behind, mask, scrim, found)


def compose(
    picture: bytes, blocks: list[tuple[str, float]], language: str, style: Style
) -> Image.Image:
    """The picture (a 1080×1080, 1080×1350 or 1080×1920 JPEG) with the blocks set on it in the
    style, in the picture's shape."""
    made = layers(picture, blocks, language, style)
    slide = made.behind.copy()
    slide.paste(rgb(style.text_colour), (0, 0, *slide.size), made.mask)
    return slide


def encode(slide: Image.Image, quality: int) -> bytes:
    """Progressive JPEG; the same slide always gives the same bytes."""
    out = io.BytesIO()
    slide.save(out, "JPEG", quality=quality, progressive=True)
    return out.getvalue()
