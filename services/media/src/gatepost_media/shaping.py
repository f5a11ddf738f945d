"""Pictures for portrait slides: any accepted image → a WIDTH×HEIGHT RGB progressive JPEG without
EXIF (1080×1350 or 1080×1920), cropped to fill or padded as `fit` says. decoder.py does the same
for square slides; this reads the image with the decoder's own checks (formats, pixel bound,
verify). Run as `python -m gatepost_media.shaping WIDTH HEIGHT MAX_PIXELS QUALITY FIT` it reads an
image on stdin and writes the JPEG on stdout, or its refusal on stderr with exit status 3, in a
confined child like the decoder (image_tools.py)."""

from __future__ import annotations

import io
import sys
from typing import Literal

from PIL import Image, ImageOps

from gatepost_media import decoder


def normalise(
    data: bytes,
    *,
    size: tuple[int, int],
    max_pixels: int,
    quality: int = 90,
    fit: Literal["crop", "pad"] = "crop",
) -> bytes:
    image = decoder._open(data, max_pixels)
    try:
        if image.format == "JPEG":
            image.draft("RGB", size)  # decode big JPEGs at 1/2, 1/4…: still ≥ the slide
        image.load()
        image = ImageOps.exif_transpose(image).convert("RGB")
        if fit == "crop":
            image = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
        else:
            image = ImageOps.pad(image, size, Image.Resampling.LANCZOS, color=(0, 0, 0))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, progressive=True)
    except (OSError, ValueError) as error:
        raise decoder.Undecodable(f"the image could not be decoded: {error}") from None
    return out.getvalue()


def main() -> None:
    """The confined child: an image on stdin, its picture of the given size on stdout."""
    width, height, max_pixels, quality = (int(a) for a in sys.argv[1:5])
    try:
        jpeg = normalise(
            sys.stdin.buffer.read(),
            size=(width, height),
            max_pixels=max_pixels,
            quality=quality,
            fit="pad" if sys.argv[5] == "pad" else "crop",
        )
    except decoder.Undecodable as refused:
        sys.stderr.write(str(refused))
        sys.exit(decoder.REFUSED)
    sys.stdout.buffer.write(jpeg)


if __name__ == "__main__":
    main()
