"""Media normalisation: every accepted image becomes a 1080×1080 progressive JPEG without EXIF."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from gatepost_media.confinement import ChildLimits, Confinement
from gatepost_media.domain import RejectedImage, normalise
from gatepost_media.image_tools import ImageTools

LIMIT = 40_000_000


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def test_wide_png_becomes_square_progressive_jpeg() -> None:
    result = normalise(
        encoded(Image.new("RGBA", (2000, 1000), (10, 200, 30, 128)), "PNG"), max_pixels=LIMIT
    )
    with Image.open(io.BytesIO(result.jpeg)) as out:
        assert (out.format, out.size, out.mode) == ("JPEG", (1080, 1080), "RGB")
        assert out.info.get("progressive") == 1
        assert not out.getexif()


def test_exif_orientation_is_applied_then_stripped() -> None:
    tall = Image.new("RGB", (600, 1200), (255, 0, 0))
    tall.paste((0, 0, 255), (0, 0, 600, 600))  # top half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    result = normalise(encoded(tall, "JPEG", exif=exif), max_pixels=LIMIT, fit="pad")
    with Image.open(io.BytesIO(result.jpeg)) as out:
        assert not out.getexif()
        red, _green, blue = out.convert("RGB").getpixel((1000, 540))  # displayed right half
        assert blue > 200 and red < 60


def test_same_input_gives_same_hash() -> None:
    data = encoded(Image.new("RGB", (500, 500), (1, 2, 3)), "PNG")
    assert normalise(data, max_pixels=LIMIT).sha256 == normalise(data, max_pixels=LIMIT).sha256


def test_text_file_is_rejected() -> None:
    with pytest.raises(RejectedImage, match="not a readable image"):
        normalise(b"hello, I am not an image", max_pixels=LIMIT)


def test_truncated_jpeg_is_rejected() -> None:
    data = encoded(Image.effect_noise((800, 800), 60).convert("RGB"), "JPEG")
    with pytest.raises(RejectedImage):
        normalise(data[: len(data) // 2], max_pixels=LIMIT)


def test_decompression_bomb_is_rejected_before_decoding() -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(RejectedImage, match=r"pixels|not a readable"):
        normalise(bomb, max_pixels=LIMIT)


@pytest.mark.parametrize(
    ("fmt", "named"),
    [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF"), ("ICO", "ICO"), ("PPM", "readable")],
)
def test_only_jpeg_png_and_webp_are_decoded(fmt: str, named: str) -> None:
    """TikTok takes JPEG and WebP, a model draws PNG: a GIF, BMP or TIFF (each a parser an
    attacker's file could aim at) is refused with words that say what to send instead."""
    data = encoded(Image.new("RGB", (64, 64), (200, 10, 10)), fmt)
    with pytest.raises(RejectedImage) as refused:
        normalise(data, max_pixels=LIMIT)
    assert named in str(refused.value) and "JPEG, PNG or WebP" in str(refused.value)


def test_a_damaged_tiff_never_reaches_the_tiff_parser() -> None:
    """Refused by its first bytes, not as a damaged TIFF: no TIFF code ran on it."""
    with pytest.raises(RejectedImage, match=r"^TIFF pictures are not accepted"):
        normalise(b"II*\x00" + b"\xff" * 200, max_pixels=LIMIT)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_the_three_accepted_formats_still_decode(fmt: str) -> None:
    data = encoded(Image.new("RGB", (1200, 1200), (10, 10, 200)), fmt)
    assert normalise(data, max_pixels=LIMIT).jpeg.startswith(b"\xff\xd8")


async def test_a_gif_upload_is_refused_by_the_confined_decoder_too() -> None:
    tools = ImageTools(Confinement(ChildLimits()))
    gif = encoded(Image.new("RGB", (64, 64)), "GIF")
    with pytest.raises(RejectedImage, match=r"^GIF pictures are not accepted: send a JPEG"):
        await tools.normalise(gif, max_pixels=LIMIT, quality=90, fit="crop")
