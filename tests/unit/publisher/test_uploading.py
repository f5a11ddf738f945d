"""FILE_UPLOAD over fakes: the chunks TikTok lacks are sent in order, a lost answer is resumed
from TikTok's 416, bytes that are not the approved video never complete an upload, and an expired
upload URL begins again with a new init."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from gatepost_publisher.upload_ledger import TAMPERED
from gatepost_publisher.uploading import CHANGED
from tests.unit.publisher.fakes import World, world

SIZE, CHUNK = 25_000_000, 10_000_000
VIDEO = bytes(range(256)) * (SIZE // 256) + bytes(SIZE % 256)


class HostedBytes:
    """media's copy of the video, read a range at a time."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def read(self, url: str, first: int, last: int, size: int) -> bytes:
        return self.data[first : last + 1]


class UploadTarget:
    """TikTok's chunk endpoint: sequential chunks, 206/201, 416 with what it holds. `script`:
    what happens to the next PUTs ("drop": the connection breaks before TikTok takes the chunk;
    "lost": TikTok takes it, the answer never arrives; "foreign": someone else's bytes reach
    TikTok first, through the same upload URL; an int: that status)."""

    def __init__(self, *script: Any) -> None:
        self.held = bytearray()
        self.script = list(script)
        self.puts: list[tuple[int, int]] = []

    async def put_chunk(
        self, upload_url: str, data: bytes, first: int, total: int, mime: str
    ) -> tuple[int, int]:
        self.puts.append((first, first + len(data) - 1))
        step = self.script.pop(0) if self.script else None
        if step == "drop":
            raise httpx.ConnectError("connection reset")
        if isinstance(step, int):
            return step, -1
        if step == "foreign":
            self.held += b"\xee" * CHUNK
        if first != len(self.held):
            return 416, len(self.held)
        self.held += data
        if step == "lost":
            raise httpx.ReadError("no answer")
        return (201 if len(self.held) == total else 206), len(self.held)


async def uploading(target: UploadTarget, data: bytes = VIDEO) -> World:
    """A world with a FILE_UPLOAD video whose init gave an upload URL."""
    w = world(upload_chunk_tries=3)
    uploader = w.parts.following.uploading
    uploader.tiktok, uploader.videos = target, HostedBytes(data)  # type: ignore[assignment]
    w.calls.then(
        "creator_info",
        {"privacy_level_options": ["PUBLIC_TO_EVERYONE"], "max_video_post_duration_sec": 600},
    )
    w.calls.then("video_init", ("v_pub_file_1", "https://upload.example/video/?upload_id=1"))
    video = {
        "url": "https://media.example/p/v.mp4",
        "sha256": hashlib.sha256(VIDEO).hexdigest(),
        "size": SIZE,
        "mime": "video/mp4",
        "duration_s": 12.0,
        "width": 1080,
        "height": 1920,
        "transfer": "FILE_UPLOAD",
    }
    await w.approve(media_type="VIDEO", photo_urls=[], video=video)
    job = await w.step()
    assert job is not None and job["upload"]["count"] == SIZE // CHUNK
    return w


async def test_the_chunks_go_in_order_then_the_post_is_followed() -> None:
    target = UploadTarget()
    w = await uploading(target)
    job = await w.step()
    assert job is not None and bytes(target.held) == VIDEO
    assert target.puts == [(0, CHUNK - 1), (CHUNK, SIZE - 1)]  # the last takes the remainder
    assert job["status"] == "processing" and job["upload"]["done"]
    assert job["due_at"] > w.clock.now(), "then polled like any post"


async def test_a_cut_connection_and_a_lost_answer_cost_a_chunk_never_a_second_post() -> None:
    target = UploadTarget("drop", None, "lost")
    w = await uploading(target)
    job = await w.step()
    assert job is not None and job["upload"]["done"] and bytes(target.held) == VIDEO
    # first chunk: dropped, sent again; second: taken, answer lost, sent again → 416 → done
    assert target.puts == [(0, CHUNK - 1), (0, CHUNK - 1), (CHUNK, SIZE - 1), (CHUNK, SIZE - 1)]
    assert w.calls.sent.count("video_init") == 1


async def test_bytes_that_are_not_the_approved_video_never_complete_the_upload() -> None:
    other = b"\x01" + VIDEO[1:]  # one byte changed at media since the approval
    target = UploadTarget()
    w = await uploading(target, other)
    job = await w.step()
    assert job is not None and (job["result"], job["fail_reason"]) == ("FAILED", CHANGED)
    assert len(target.held) < SIZE, "the last chunk was never sent: TikTok processes nothing"


async def test_an_expired_upload_url_begins_again_with_a_new_init() -> None:
    target = UploadTarget(403)
    w = await uploading(target)
    job = await w.step()
    assert job is not None and (job["status"], job["publish_id"]) == ("queued", None)
    assert job["earlier_publish_ids"] == ["v_pub_file_1"] and job["upload"] is None


async def test_tiktok_refusing_a_chunk_again_and_again_waits_and_resumes() -> None:
    target = UploadTarget(500, 500, 500)
    w = await uploading(target)
    job = await w.step()
    assert job is not None and job["status"] == "processing" and not job["upload"].get("done")
    assert job["retries"] == 1 and job["due_at"] > w.clock.now()
    w.clock.advance(600)
    job = await w.step()
    assert job is not None and job["upload"]["done"] and bytes(target.held) == VIDEO


async def test_an_upload_resumed_after_the_url_expired_begins_again_without_sending() -> None:
    target = UploadTarget(500, 500, 500)
    w = await uploading(target)
    await w.step()  # TikTok refuses for now: the upload waits
    w.clock.advance(3600)
    sent = len(target.puts)
    job = await w.step()
    assert job is not None and (job["status"], job["publish_id"]) == ("queued", None)
    assert len(target.puts) == sent, "nothing is put to an upload URL that has expired"


async def test_bytes_someone_else_put_in_the_upload_end_it_unknown_and_nothing_more_is_sent() -> (
    None
):
    target = UploadTarget(None, "foreign")
    w = await uploading(target)
    job = await w.step()
    assert job is not None and (job["result"], job["fail_reason"]) == ("UNKNOWN", TAMPERED)
    assert target.puts == [(0, CHUNK - 1), (CHUNK, SIZE - 1)], "no chunk after TikTok's 416"
    assert len(target.held) < SIZE and job["upload"]["sent"] == SIZE
    assert "upload_tampered" in w.audit.kinds()
    assert w.calls.sent.count("video_init") == 1


async def test_a_lost_answer_to_the_last_chunk_then_404_follows_the_publish_id() -> None:
    """TikTok took the last chunk and began processing; the chunk sent again finds no upload task
    (404): beginning again would post the video twice."""
    target = UploadTarget(None, "lost", 404)
    w = await uploading(target)
    job = await w.step()
    assert job is not None and bytes(target.held) == VIDEO
    assert (job["status"], job["publish_id"]) == ("processing", "v_pub_file_1")
    assert job["upload"]["done"] and job["upload"]["uncertain"]
    w.calls.then("status_fetch", {"status": "PUBLISH_COMPLETE"})
    job = await w.step()
    assert job is not None and job["result"] == "PUBLISH_COMPLETE"
    assert w.calls.sent.count("video_init") == 1


async def test_a_last_chunk_never_answered_is_never_a_retryable_failure() -> None:
    """Every try of the last chunk met an edge's 502: TikTok may hold it. Out of retries, the job
    follows its publish_id instead of failing as "nothing was published"."""
    target = UploadTarget(None, 502, 502, 502)
    w = await uploading(target)
    w.settings.max_retries = 0
    job = await w.step()
    assert job is not None and job.get("result") is None and job["status"] == "processing"
    assert job["upload"]["uncertain"] and job["publish_id"] == "v_pub_file_1"
    assert "upload_uncertain" in w.audit.kinds()


async def test_an_upload_url_expiring_after_the_last_chunk_went_out_never_begins_again() -> None:
    target = UploadTarget(None, 502, 502, 502)
    w = await uploading(target)
    await w.step()  # the last chunk went out, unanswered: the upload waits to resume
    w.clock.advance(3600)
    job = await w.step()
    assert job is not None and (job["status"], job["publish_id"]) == ("processing", "v_pub_file_1")
    assert job["upload"]["uncertain"] and w.calls.sent.count("video_init") == 1
