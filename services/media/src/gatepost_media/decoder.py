"""Image normalisation, Pillow only (no service imports, so a confined child starts quickly):
any accepted image → a 1080×1080 RGB progressive JPEG without EXIF. Run as
`python -m gatepost_media.decoder MAX_PIXELS QUALITY FIT` it reads an image on stdin and writes
the JPEG on stdout, or its refusal on stderr with exit status 3 (see confinement.py)."""

from __future__ import annotations

import io
import sys
import warnings
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

SIDE = 1080
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"})
REFUSED = 3  # the exit status of a refusal


class Undecodable(ValueError):
    """The bytes are not an image we accept; the message says why, for the person."""


def normalise(
    data: bytes, *, max_pixels: int, quality: int = 90, fit: Literal["crop", "pad"] = "crop"
) -> bytes:
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
        raise Undecodable(f"the image could not be decoded: {error}") from None
    return out.getvalue()


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise Undecodable(f"{probe.format} images are not accepted")
            width, height = probe.size
            if width * height > max_pixels:
                raise Undecodable(f"{width}×{height} is more than {max_pixels} pixels")
            probe.verify()
        return Image.open(io.BytesIO(data))  # decoded by the caller, after choosing a draft
    except Undecodable:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Undecodable("the upload is not a readable image") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise Undecodable(f"the image is damaged: {error}") from None


def main() -> None:
    """The confined child: an image on stdin, its normalised JPEG on stdout."""
    max_pixels, quality, fit = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    try:
        jpeg = normalise(
            sys.stdin.buffer.read(),
            max_pixels=max_pixels,
            quality=quality,
            fit="pad" if fit == "pad" else "crop",
        )
    except Undecodable as refused:
        sys.stderr.write(str(refused))
        sys.exit(REFUSED)
    sys.stdout.buffer.write(jpeg)


if __name__ == "__main__":
    main()
