"""A slide's style (an account's "brand kit": auth stores it, media applies it) and WCAG
contrast arithmetic."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Family = Literal["Noto Sans", "Noto Serif"]  # what media has installed for every script
# a slide's width x height: square (the default), 4:5 portrait, or 9:16 full screen
SlideFormat = Literal["1080x1080", "1080x1350", "1080x1920"]
FORMATS: tuple[SlideFormat, ...] = ("1080x1080", "1080x1350", "1080x1920")
HEX = r"^#[0-9A-Fa-f]{6}$"
MIN_STYLE_CONTRAST = 4.5


def rgb(colour: str) -> tuple[int, int, int]:
    if not re.match(HEX, colour):
        raise ValueError(f"{colour!r} is not a #RRGGBB colour")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def dimensions(slide_format: SlideFormat) -> tuple[int, int]:
    """A slide format's width and height in pixels."""
    width, height = slide_format.split("x")
    return int(width), int(height)


def relative_luminance(colour: Sequence[float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0–255 channels)."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: float, second: float) -> float:
    """WCAG contrast ratio of two relative luminances."""
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)


class Style(BaseModel):
    """How an account's slides look; the default reads on any picture."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    family: Family = "Noto Sans"
    text_colour: str = Field(default="#FFFFFF", pattern=HEX)
    box_colour: str = Field(default="#000000", pattern=HEX)
    position: Literal["top", "center", "bottom"] = "bottom"
    # the shape new slides are drawn in (slides made before a change keep theirs)
    format: SlideFormat = "1080x1080"

    @model_validator(mode="after")
    def _text_reads_on_its_box(self) -> Style:
        ratio = contrast(
            relative_luminance(rgb(self.text_colour)), relative_luminance(rgb(self.box_colour))
        )
        if ratio < MIN_STYLE_CONTRAST:
            raise ValueError(
                f"the text and box colours are too close ({ratio:.1f}:1); slides need at least "
                f"{MIN_STYLE_CONTRAST}:1 to be read"
            )
        return self
