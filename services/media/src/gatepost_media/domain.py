"""Image normalisation: any accepted image → a 1080×1080 RGB progressive JPEG without EXIF (the
Pillow work is in decoder.py; uploads are decoded in a confined child: confinement.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from gatepost_common.errors import RefusedInput
from gatepost_media import decoder
from gatepost_media.decoder import ALLOWED_FORMATS, SIDE

__all__ = ["ALLOWED_FORMATS", "SIDE", "NormalisedImage", "RejectedImage", "normalise"]


class RejectedImage(RefusedInput, ValueError):
    """The upload is not an image we accept; the message says why, for the caller."""


@dataclass(frozen=True)
class NormalisedImage:
    jpeg: bytes
    sha256: str

    @classmethod
    def of(cls, jpeg: bytes) -> NormalisedImage:
        return cls(jpeg, hashlib.sha256(jpeg).hexdigest())


def normalise(
    data: bytes, *, max_pixels: int, quality: int = 90, fit: Literal["crop", "pad"] = "crop"
) -> NormalisedImage:
    """In this process: for images media made itself (an upload goes through confinement)."""
    try:
        jpeg = decoder.normalise(data, max_pixels=max_pixels, quality=quality, fit=fit)
    except decoder.Undecodable as refused:
        raise RejectedImage(str(refused)) from None
    return NormalisedImage.of(jpeg)
