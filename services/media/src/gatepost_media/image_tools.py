"""A picture decoded by Pillow in a confined child (confinement.py) and stored in the shape of the
slides it is for: square through decoder.py, portrait (1080×1350, 1080×1920) through shaping.py."""

from __future__ import annotations

import logging
import sys
from typing import Literal

from gatepost_common.slide_style import SlideFormat, dimensions
from gatepost_media import decoder, shaping
from gatepost_media.confinement import Confinement
from gatepost_media.domain import NormalisedImage, RejectedImage

logger = logging.getLogger(__name__)


class ImageTools:
    """Normalises untrusted pictures through `runner`."""

    def __init__(self, runner: Confinement) -> None:
        self.runner = runner

    async def normalise(
        self,
        data: bytes,
        *,
        max_pixels: int,
        quality: int,
        fit: Literal["crop", "pad"],
        slide_format: SlideFormat = "1080x1080",
    ) -> NormalisedImage:
        """The picture as a JPEG of the slide format's width × height, in a confined child
        (`python -m gatepost_media.decoder`, or `gatepost_media.shaping` for portrait)."""
        width, height = dimensions(slide_format)
        shape = [] if width == height else [str(width), str(height)]
        module = decoder if width == height else shaping
        limits = [str(max_pixels), str(quality), fit]
        command = [sys.executable, "-B", "-m", module.__name__, *shape, *limits]
        try:
            done = await self.runner.run(*command, given=data)
        except TimeoutError:
            raise RejectedImage("the image took too long to decode") from None
        if done.status == decoder.REFUSED:
            raise RejectedImage(done.err.decode(errors="replace")[:300])
        if done.status != 0 or not done.out:
            logger.info("the image decoder failed (%s): %s", done.status, done.err[-2000:])
            raise RejectedImage("the image could not be decoded within the decoder's limits")
        return NormalisedImage.of(done.out)
