"""Right before the init the publisher fetches what each approved URL serves and refuses bytes
other than the ones whose SHA-256 the approval signed, and photos TikTok would refuse for their
size (1080 px on the short side, or on the long side as set): nothing is sent, the refusal is
audited."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import httpx
import pytest
from PIL import Image

from gatepost_publisher.calls import CallFailed
from gatepost_publisher.domain import Handling
from gatepost_publisher.pinning import ServedBytes, jpeg_size
from tests.unit.publisher.fakes import world
from tests.unit.publisher.test_inbox_and_video import VIDEO

PHOTOS = ["https://media.example/p/1.jpg", "https://media.example/p/2.jpg"]
HASHES = ["a" * 64, "b" * 64]
INITS = ("content_init", "video_init", "inbox_video_init")


def pinned_photos(**changes: Any) -> dict[str, Any]:
    return {"photo_urls": PHOTOS, "photo_sha256": HASHES, **changes}


async def test_the_approved_bytes_are_checked_then_posted() -> None:
    w = world()
    await w.approve(**pinned_photos())
    assert (await w.step() or {}).get("status") == "processing"
    assert w.served.asked == PHOTOS and w.calls.sent.count("content_init") == 1


async def test_a_photo_swapped_behind_its_approved_url_is_refused_and_nothing_sent() -> None:
    w = world()
    await w.approve(**pinned_photos())
    w.served.files[PHOTOS[1]] = "c" * 64  # another file behind the approved URL
    job = await w.step()
    assert job is not None and (job["status"], job["result"]) == ("done", "FAILED")
    assert "is not the one that was approved" in job["fail_reason"] and not job["retryable"]
    assert not any(w.calls.sent.count(e) for e in INITS)
    [detail] = [d for _, kind, d in w.audit.entries if kind == "refused"]
    assert PHOTOS[1] in detail["reason"]
    assert not w.cap.held["creator-1"], "its place is given back"


async def test_a_swapped_video_is_refused_whether_tiktok_pulls_it_or_is_sent_it() -> None:
    for transfer in ("PULL_FROM_URL", "FILE_UPLOAD"):
        w = world()
        await w.approve(media_type="VIDEO", photo_urls=[], video={**VIDEO, "transfer": transfer})
        w.served.files[VIDEO["url"]] = "d" * 64
        job = await w.step()
        assert job is not None and job["result"] == "FAILED", transfer
        assert not any(w.calls.sent.count(e) for e in INITS)


async def test_a_url_media_does_not_serve_now_is_retried_not_refused() -> None:
    w = world()
    await w.approve(**pinned_photos())
    del w.served.files[PHOTOS[0]]
    job = await w.step()
    assert job is not None and job["status"] == "queued" and job["retries"] == 1
    assert "with 404" in job["deferred_reason"] and w.calls.sent == ["creator_info"]


async def test_photos_approved_before_pinning_are_sent_by_their_signed_urls() -> None:
    w = world()
    await w.approve(photo_urls=PHOTOS)  # no photo_sha256: signed before photos were pinned
    assert (await w.step() or {}).get("status") == "processing"
    assert w.served.asked == []


async def test_served_bytes_hashes_what_media_answers_and_a_404_is_a_passing_failure() -> None:
    files = {"/p/1.jpg": b"the approved jpeg"}

    def media(request: httpx.Request) -> httpx.Response:
        found = files.get(request.url.path)
        return httpx.Response(200, content=found) if found else httpx.Response(404)

    served = ServedBytes(httpx.AsyncClient(transport=httpx.MockTransport(media)))
    got = await served.sha256("https://media.example/p/1.jpg")
    assert got == hashlib.sha256(b"the approved jpeg").hexdigest()
    with pytest.raises(CallFailed) as failed:
        await served.sha256("https://media.example/p/2.jpg")
    assert failed.value.handling is Handling.RETRY and "HTTP 404" in failed.value.reason


def jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, "JPEG", quality=80, progressive=True)
    return out.getvalue()


@pytest.mark.parametrize("size", [(1080, 1920), (1080, 1350), (1080, 1080), (941, 1672)])
def test_a_photo_s_size_is_read_from_its_jpeg_header(size: tuple[int, int]) -> None:
    assert jpeg_size(jpeg(size)) == size
    assert jpeg_size(b"not a jpeg") is None


async def test_a_portrait_slide_is_posted_under_the_short_side_rule() -> None:
    w = world()
    await w.approve(**pinned_photos())
    w.served.sizes = dict.fromkeys(PHOTOS, (1080, 1920))
    assert (await w.step() or {}).get("status") == "processing"
    assert w.calls.sent.count("content_init") == 1


async def test_a_portrait_slide_is_refused_before_sending_under_the_long_side_reading() -> None:
    w = world(tiktok_photo_size_side="long")
    await w.approve(**pinned_photos())
    w.served.sizes = {PHOTOS[0]: (1080, 1080), PHOTOS[1]: (1080, 1920)}
    job = await w.step()
    assert job is not None and (job["status"], job["result"]) == ("done", "FAILED")
    assert job["fail_reason"].startswith("photo 2 is 1080×1920: over TikTok's 1080 px on its long")
    assert not job["retryable"] and not set(INITS) & set(w.calls.sent)


async def test_a_photo_over_1080_on_its_short_side_is_refused_before_sending() -> None:
    w = world()
    await w.approve(**pinned_photos())
    w.served.sizes = {PHOTOS[1]: (1088, 1920)}
    job = await w.step()
    assert job is not None and job["result"] == "FAILED" and "1088×1920" in job["fail_reason"]
    assert not set(INITS) & set(w.calls.sent)


async def test_served_bytes_reads_only_the_head_of_a_photo() -> None:
    photo = jpeg((1080, 1920))
    ranges: list[str | None] = []

    def serve(request: httpx.Request) -> httpx.Response:
        ranges.append(request.headers.get("range"))
        return httpx.Response(206, content=photo[:65536])

    served = ServedBytes(httpx.AsyncClient(transport=httpx.MockTransport(serve)))
    assert await served.size("https://media.example/p/1.jpg") == (1080, 1920)
    assert ranges == ["bytes=0-65535"]
