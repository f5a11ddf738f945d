"""Image normalisation: any accepted image → a 1080×1080 RGB progressive JPEG without EXIF."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from gatepost_common.errors import RefusedInput

SIDE = 1080
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"})


class RejectedImage(RefusedInput, ValueError):
    """The upload is not an image we accept; the message says why, for the caller."""


@dataclass(frozen=True)
class NormalisedImage:
    jpeg: bytes
    sha256: str


def normalise(
    data: bytes, *, max_pixels: int, quality: int = 90, fit: Literal["crop", "pad"] = "crop"
) -> NormalisedImage:
    image = _open(data, max_pixels)
    try:
        if image.format == "JPEG":
            image.draft("RGB", (SIDE, SIDE))  # decode big JPEGs at 1/2, 1/4…: still ≥ 1080 px
        image.load()
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
        if fit == "crop":
            image = ImageOps.fit(image, (SIDE, SIDE), Image.Resampling.LANCZOS)
        else:
            image = ImageOps.pad(image, (SIDE, SIDE), Image.Resampling.LANCZOS, color=(0, 0, 0))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, progressive=True)
    except (OSError, ValueError) as error:
        raise RejectedImage(f"the image could not be decoded: {error}") from None
    jpeg = out.getvalue()
    return NormalisedImage(jpeg, hashlib.sha256(jpeg).hexdigest())


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise RejectedImage(f"{probe.format} images are not accepted")
            width, height = probe.size
            if width * height > max_pixels:
                raise RejectedImage(f"{width}×{height} is more than {max_pixels} pixels")
            probe.verify()
        return Image.open(io.BytesIO(data))  # decoded by the caller, after choosing a draft
    except RejectedImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise RejectedImage("the upload is not a readable image") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise RejectedImage(f"the image is damaged: {error}") from None
