"""A person's picture decoded by Pillow (decoder.py) in a confined child (confinement.py)."""

from __future__ import annotations

import logging
import sys
from typing import Literal

from gatepost_media import decoder
from gatepost_media.confinement import Confinement
from gatepost_media.domain import NormalisedImage, RejectedImage

logger = logging.getLogger(__name__)


class ImageTools:
    """Normalises untrusted pictures through `runner`."""

    def __init__(self, runner: Confinement) -> None:
        self.runner = runner

    async def normalise(
        self, data: bytes, *, max_pixels: int, quality: int, fit: Literal["crop", "pad"]
    ) -> NormalisedImage:
        """`decoder.normalise` in a confined child (`python -m gatepost_media.decoder`)."""
        command = [sys.executable, "-B", "-m", decoder.__name__, str(max_pixels), str(quality), fit]
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
