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
# what TikTok takes (JPEG and WebP) and what a model draws (PNG); Pillow tries no other parser,
# so a hostile GIF, BMP, TIFF, ICO, PSD… reaches no decoder at all
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
REFUSED = 3  # the exit status of a refusal
# other pictures a person may send, known by their first bytes, to name them in the refusal
OTHER_PICTURES = {
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"\x00\x00\x01\x00": "ICO",
    b"8BPS": "PSD",
    b"\x00\x00\x00\x0cjP  ": "JPEG 2000",
    b"\xff\x4f\xff\x51": "JPEG 2000",
}
ONLY = "send a JPEG, PNG or WebP picture"


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
            probe = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            width, height = probe.size
            if width * height > max_pixels:
                raise Undecodable(f"{width}×{height} is more than {max_pixels} pixels")
            probe.verify()
        # decoded by the caller, after choosing a draft
        return Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Undecodable:
        raise
    except UnidentifiedImageError:
        raise Undecodable(_unaccepted(data)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Undecodable("the upload is not a readable image") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise Undecodable(f"the image is damaged: {error}") from None


def _unaccepted(data: bytes) -> str:
    """Why bytes no accepted parser reads are refused, naming a known other format."""
    named = next((name for head, name in OTHER_PICTURES.items() if data.startswith(head)), None)
    if named is None:
        return f"the upload is not a readable image: {ONLY}"
    return f"{named} pictures are not accepted: {ONLY}"


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
