"""media over HTTP: bad uploads are 4xx (never 500), hosting headers, ranges, fetching by URL."""

from __future__ import annotations

import io
import struct
import zlib

import httpx
import pytest
from PIL import Image

from gatepost_devstack.stack import Stack


def internal(stack: Stack) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{stack.ports.media}",
        timeout=30,
        auth=stack.service_auth("generator", "media"),
    )


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (9, 99, 199)).save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((900, 900), 50).convert("RGB").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("text file", b"just some text, not an image", 422),
        ("truncated jpeg", jpeg_bytes()[:5000], 422),
        ("30000x30000 png bomb", bomb(), 422),
        ("oversized file", b"\xff" * 20_000_001, 413),
        ("empty body", b"", 422),
    ],
)
def test_bad_uploads_are_refused_with_4xx(
    stack: Stack, name: str, body: bytes, status: int
) -> None:
    answer = internal(stack).post("/internal/images", content=body)
    assert answer.status_code == status, (name, answer.text)
    assert answer.json()["detail"]


def test_upload_is_hosted_content_addressed_with_caching_headers(stack: Stack) -> None:
    media = internal(stack)
    first = media.post("/internal/images", content=png((1600, 900))).json()
    second = media.post("/internal/images", content=png((1600, 900))).json()
    assert first["sha256"] == second["sha256"]  # identical input, stored once
    hosted = httpx.get(first["url"], follow_redirects=False)
    assert hosted.status_code == 200 and hosted.headers["etag"] == f'"{first["sha256"]}"'
    assert hosted.headers["content-type"] == "image/jpeg"
    assert hosted.headers["cache-control"] == "public, max-age=31536000, immutable"
    partial = httpx.get(first["url"], headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206 and len(partial.content) == 100
    assert hosted.content.startswith(partial.content)
    assert httpx.get(first["url"].replace(first["sha256"], "0" * 64)).status_code == 404


def test_a_picture_is_stored_in_the_slide_format_asked_for(stack: Stack) -> None:
    """A portrait model answer (1024×1536) becomes a 1080×1920 or 1080×1350 picture, served as
    such and said so; a format media does not make is refused with the formats it makes."""
    media = internal(stack)
    for asked, size in [("1080x1920", (1080, 1920)), ("1080x1350", (1080, 1350))]:
        answer = media.post("/internal/images", content=png((1024, 1536)), params={"format": asked})
        assert answer.status_code == 201, answer.text
        stored = answer.json()
        assert (stored["width"], stored["height"]) == size
        with Image.open(io.BytesIO(httpx.get(stored["url"]).content)) as served:
            assert served.size == size
    refused = media.post("/internal/images", content=png((64, 64)), params={"format": "720x1280"})
    assert refused.status_code == 422 and "1080x1920" in refused.text, refused.text


def test_only_the_generator_and_approval_may_store_images(stack: Stack) -> None:
    """Stored images sit under the prefix TikTok pulls from: only what the generator drew and
    what a person brought to the queue (through approval) may be put there."""
    url = f"http://127.0.0.1:{stack.ports.media}/internal/images"
    assert httpx.post(url, content=png((9, 9))).status_code == 401
    for caller in ("generator", "approval"):
        answer = httpx.post(url, content=png((9, 9)), auth=stack.service_auth(caller, "media"))
        assert answer.status_code == 201, caller
    for caller in ("publisher", "auth"):
        answer = httpx.post(url, content=png((9, 9)), auth=stack.service_auth(caller, "media"))
        assert answer.status_code == 403, caller
