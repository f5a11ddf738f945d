"""Media normalisation: every accepted image becomes a 1080×1080 progressive JPEG without EXIF."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from gatepost_media.domain import RejectedImage, normalise

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
