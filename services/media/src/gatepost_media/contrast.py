"""The scrim behind a slide's words: opaque enough that the text keeps WCAG's 4.5:1 over any
picture."""

from __future__ import annotations

from gatepost_common.slide_style import contrast, relative_luminance, rgb

MIN_CONTRAST = 4.5


def scrim_alpha(text_colour: str, box_colour: str) -> float:
    """The least opacity of the box colour at which the text keeps `MIN_CONTRAST` (with a
    margin for JPEG) over any picture: black and white are the extremes of what lies behind."""
    text, box = rgb(text_colour), rgb(box_colour)
    text_lum = relative_luminance(text)
    for step in range(12, 21):
        alpha = step / 20
        behind = [
            relative_luminance(
                tuple(alpha * b + (1 - alpha) * g for b, g in zip(box, bg, strict=True))
            )
            for bg in ((0, 0, 0), (255, 255, 255))
        ]
        same_side = all((lum > text_lum) == (relative_luminance(box) > text_lum) for lum in behind)
        if same_side and min(contrast(text_lum, lum) for lum in behind) >= MIN_CONTRAST * 1.15:
            return alpha
    return 1.0
