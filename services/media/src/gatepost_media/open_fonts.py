"""The fonts media has open, by face and size, and the lock text is set under."""

from __future__ import annotations

import threading
from collections import OrderedDict

from PIL import ImageFont

from gatepost_media.fonts import Face


class OpenFonts:
    """Fonts by face and size, opened when first asked for (so a script's font files and
    shaping tables are read only once a slide needs them) and the `kept` most recently used
    kept open: HarfBuzz copies a font's tables for each size, ~2 MB each for a CJK face, and the
    size search opens every size from the largest down."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.open: OrderedDict[tuple[Face, int], ImageFont.FreeTypeFont] = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, face: Face, size: int) -> ImageFont.FreeTypeFont:
        # opened under the lock: slides composed side by side in media's threads would otherwise
        # each open the same sizes at once (40 threads setting Japanese: ~880 MB instead of ~150)
        with self.lock:
            font = self.open.pop((face, size), None)
            if font is None:
                font = ImageFont.truetype(
                    str(face.path), size, index=face.index, layout_engine=ImageFont.Layout.RAQM
                )
            self.open[(face, size)] = font
            while len(self.open) > self.kept:
                self.open.popitem(last=False)
        return font

    def __len__(self) -> int:
        return len(self.open)

    def scripts(self) -> set[str]:
        with self.lock:
            return {face.script for face, _ in self.open}

    def clear(self) -> None:
        with self.lock:
            self.open.clear()


# Text is laid out and drawn one slide at a time: a FreeType face may not be used by two threads
# at once, and slides set side by side each held copies of a CJK font's tables (40 threads setting
# Japanese kept ~1.2 GB; one at a time ~150 MB). Decoding and encoding pictures stay parallel.
SETTING_TEXT = threading.Lock()
# a carousel's sizes of one face (its title's and body's, from typeset's MAX_SIZE down) stay open
font_at = OpenFonts(kept=64)
