"""A stored picture in the shape of the slides it is for: square pictures go through the confined
decoder as they always have (decoder.py), portrait ones through shaping.py, confined the same way
(confinement.py: no file writes, bounded memory and CPU)."""

from __future__ import annotations

import sys
from typing import Literal

from gatepost_common.slide_style import SlideFormat, dimensions
from gatepost_media import decoder, shaping
from gatepost_media.confinement import Confinement
from gatepost_media.domain import NormalisedImage, RejectedImage


async def picture_for(
    confined: Confinement,
    data: bytes,
    slide_format: SlideFormat,
    *,
    max_pixels: int,
    quality: int,
    fit: Literal["crop", "pad"],
) -> NormalisedImage:
    """The upload as a JPEG of the slide format's width × height, decoded in a confined child."""
    width, height = dimensions(slide_format)
    if width == height:
        return await confined.normalise(data, max_pixels=max_pixels, quality=quality, fit=fit)
    command = [sys.executable, "-B", "-m", shaping.__name__, str(width), str(height)]
    try:
        status, jpeg, err = await confined.run(
            *command, str(max_pixels), str(quality), fit, given=data
        )
    except TimeoutError:
        raise RejectedImage("the image took too long to decode") from None
    if status == decoder.REFUSED:
        raise RejectedImage(err.decode(errors="replace")[:300])
    if status != 0 or not jpeg:
        raise RejectedImage("the image could not be decoded within the decoder's limits")
    return NormalisedImage.of(jpeg)
