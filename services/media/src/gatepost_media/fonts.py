"""Which installed font sets a text: the text's script picks a Noto font (Debian's fonts-noto-core
and fonts-noto-cjk, installed by ./dev and the Dockerfile), the account's style picks the family.
Coverage is checked against the font's own character map, so a slide never shows a missing-glyph
box: a character the font lacks refuses the slide, with the character named."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from gatepost_common.errors import RefusedInput
from gatepost_common.slide_style import Family

FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto"))
# the Unicode name's first word → the script, for the scripts the generator detects
SCRIPT_OF_NAME = {
    "LATIN": "latin",
    "GREEK": "latin",
    "CYRILLIC": "latin",
    "ARABIC": "arabic",
    "HEBREW": "hebrew",
    "DEVANAGARI": "devanagari",
    "BENGALI": "bengali",
    "THAI": "thai",
    "HIRAGANA": "japanese",
    "KATAKANA": "japanese",
    "HANGUL": "korean",
    "CJK": "cjk",
}
# script → (sans file, serif file or None: the sans serves); CJK files are collections
FILES = {
    "latin": ("NotoSans-Bold.ttf", "NotoSerif-Bold.ttf"),
    "arabic": ("NotoSansArabic-Bold.ttf", "NotoNaskhArabic-Bold.ttf"),
    "hebrew": ("NotoSansHebrew-Bold.ttf", "NotoSerifHebrew-Bold.ttf"),
    "devanagari": ("NotoSansDevanagari-Bold.ttf", "NotoSerifDevanagari-Bold.ttf"),
    "bengali": ("NotoSansBengali-Bold.ttf", "NotoSerifBengali-Bold.ttf"),
    "thai": ("NotoSansThai-Bold.ttf", "NotoSerifThai-Bold.ttf"),
    "cjk": ("NotoSansCJK-Bold.ttc", "NotoSerifCJK-Bold.ttc"),
}
# faces inside the CJK collections, by the language the glyph forms follow
CJK_FACE = {"ja": 0, "ko": 1, "zh": 2, "zh-tw": 3}
RTL = frozenset({"arabic", "hebrew"})


class GlyphMissing(RefusedInput, ValueError):
    """The chosen font cannot draw a character of the text (the message names it)."""


@dataclass(frozen=True)
class Face:
    path: Path
    index: int
    script: str
    family: Family

    @property
    def rtl(self) -> bool:
        return self.script in RTL

    @property
    def name(self) -> str:
        return f"{self.family} ({self.path.name})"


def script_of(text: str, language: str) -> str:
    """The script most of the text's letters are in (Han with kana is Japanese, etc.)."""
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha() and unicodedata.category(char) not in ("Mn", "Mc", "Lo"):
            continue
        first = unicodedata.name(char, "").split(" ")[0]
        script = SCRIPT_OF_NAME.get(first)
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "latin"
    if counts.get("japanese") or (counts.get("cjk") and language == "ja"):
        return "japanese"
    if counts.get("korean"):
        return "korean"
    return max(counts, key=lambda s: counts[s])


def face_for(text: str, language: str, family: Family) -> Face:
    script = script_of(text, language)
    if script in ("japanese", "korean", "cjk"):
        index = CJK_FACE["ja" if script == "japanese" else "ko" if script == "korean" else "zh"]
        if script == "cjk" and language in CJK_FACE:
            index = CJK_FACE[language]
        sans, serif = FILES["cjk"]
    else:
        index = 0
        sans, serif = FILES[script]
    wanted = serif if family == "Noto Serif" else sans
    path = find(wanted) or find(sans)
    if path is None:
        raise GlyphMissing(f"no font for {script} text is installed (fonts-noto-core/-cjk)")
    return Face(path, index, script, family if path.name == wanted else "Noto Sans")


def find(name: str) -> Path | None:
    return next((d / name for d in FONT_DIRS if (d / name).exists()), None)


@cache
def characters(path: Path, index: int) -> frozenset[int]:
    """The code points the font maps to a glyph."""
    if path.suffix == ".ttc":
        font = TTCollection(str(path), lazy=True).fonts[index]
    else:
        font = TTFont(str(path), lazy=True)
    cmap = font.getBestCmap() or {}
    return frozenset(cmap)


def check_coverage(text: str, face: Face) -> None:
    """Every visible character must be in the font (format characters shape, not draw)."""
    known = characters(face.path, face.index)
    for char in text:
        if char.isspace() or unicodedata.category(char) == "Cf":  # ZWJ, ZWNJ, bidi marks
            continue
        if ord(char) not in known:
            raise GlyphMissing(missing(char, face))


def missing(char: str, face: Face) -> str:
    name = unicodedata.name(char, "unnamed")
    return f"{face.name} has no glyph for {char!r} (U+{ord(char):04X} {name})"
