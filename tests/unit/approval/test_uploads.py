"""A person's own media into the queue, over fakes of media, auth's creator_info and the post
repository: what is stored, how the video will travel to TikTok, and what is refused (and then
nothing is queued)."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import pytest
from fastapi import HTTPException

from gatepost_approval import upload_routes
from gatepost_approval.domain import ApprovalRefused
from gatepost_approval.uploads import Storage, UploadDetails, Uploads
from gatepost_common.clock import Clock
from gatepost_common.quotas import BytesQuotaExceeded, DailyQuotas, Quota
from tests.unit.asgi import bearer, served
from tests.unit.memory import MemoryDatabase

STORED_VIDEO = {
    "url": "https://media.example/p/" + "a" * 64 + ".mp4",
    "sha256": "a" * 64,
    "size": 3_000_000,
    "mime": "video/mp4",
    "duration_s": 42.0,
    "width": 1080,
    "height": 1920,
    "codec": "h264",
    "poster_url": "https://media.example/p/poster.jpg",
}


class FakeMedia:
    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.received: list[Any] = []

    async def video(self, body: AsyncIterator[bytes]) -> dict[str, Any]:
        self.received.append(b"".join([part async for part in body]))
        return self.answer()

    async def video_from(self, url: str) -> dict[str, Any]:
        self.received.append(url)
        return self.answer()

    async def image(self, data: bytes) -> dict[str, Any]:
        self.received.append(data)
        n = len(self.received)
        return {"url": f"https://media.example/p/{n}.jpg", "sha256": f"{n:064x}"}

    def answer(self) -> dict[str, Any]:
        if self.refuse:
            raise ApprovalRefused(self.refuse)
        return dict(STORED_VIDEO)


class FakeCreators:
    def __init__(self, longest_s: int = 300, mine: bool = True) -> None:
        self.longest_s, self.mine = longest_s, mine

    async def creator_info(self, account_id: str, session: str) -> dict[str, Any]:
        if not self.mine:
            raise ApprovalRefused("this post's TikTok account is not connected to you")
        return {"max_video_post_duration_sec": self.longest_s}


class FakePosts:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    async def add_generated(self, post: dict[str, Any]) -> bool:
        self.docs.setdefault(post["_id"], {**post, "status": "awaiting_approval"})
        return True

    async def get(self, post_id: str, user_id: str) -> dict[str, Any] | None:
        found = self.docs.get(post_id)
        return found if found and found["user_id"] == user_id else None


def uploads(
    media: FakeMedia, creators: FakeCreators, stored_bytes_per_day: int = 10**12
) -> tuple[Uploads, FakePosts]:
    posts = FakePosts()
    quota = Quota("stored_bytes", "bytes stored", stored_bytes_per_day)
    storage = Storage(DailyQuotas(cast(Any, MemoryDatabase()), Clock()), quota)
    return Uploads(cast(Any, posts), cast(Any, media), cast(Any, creators), storage), posts


def readers(photos: list[bytes]) -> list[Callable[[], Awaitable[bytes]]]:
    """Each photo read when asked, as the route hands over uploaded files."""

    def reader(data: bytes) -> Callable[[], Awaitable[bytes]]:
        async def read() -> bytes:
            return data

        return read

    return [reader(p) for p in photos]


DETAILS = UploadDetails(account_id="acc-1", title="Balcony tour", caption="Morning light")


async def chunks() -> AsyncIterator[bytes]:
    yield b"\x00\x00\x00\x18ftyp"
    yield b"mp42"


async def test_an_uploaded_file_goes_by_file_upload_and_a_url_by_pull() -> None:
    service, posts = uploads(FakeMedia(), FakeCreators())
    by_file = await service.video("u1", "session", DETAILS, body=chunks())
    by_url = await service.video("u1", "session", DETAILS, url="https://example.com/v.mp4")
    assert by_file["video"]["transfer"] == "FILE_UPLOAD"
    assert by_url["video"]["transfer"] == "PULL_FROM_URL"
    for post in (by_file, by_url):
        assert (post["origin"], post["media_type"], post["status"]) == (
            "uploaded",
            "VIDEO",
            "awaiting_approval",
        )
        assert post["video"]["poster_url"] and not post["ai_generated"]
    assert len(posts.docs) == 2


async def test_a_video_longer_than_the_account_may_post_is_refused_and_not_queued() -> None:
    service, posts = uploads(FakeMedia(), FakeCreators(longest_s=30))
    with pytest.raises(ApprovalRefused, match="up to 30 s"):
        await service.video("u1", "session", DETAILS, body=chunks())
    assert posts.docs == {}


async def test_what_media_refuses_is_said_and_nothing_is_queued() -> None:
    service, posts = uploads(
        FakeMedia(refuse="TikTok takes H.264, H.265, VP8 or VP9"), FakeCreators()
    )
    with pytest.raises(ApprovalRefused, match=r"H\.264"):
        await service.video("u1", "session", DETAILS, url="https://example.com/v.avi")
    assert posts.docs == {}


async def test_someone_elses_account_is_refused_before_media_sees_a_byte() -> None:
    media = FakeMedia()
    service, posts = uploads(media, FakeCreators(mine=False))
    with pytest.raises(ApprovalRefused, match="not connected to you"):
        await service.video("u1", "session", DETAILS, body=chunks())
    assert media.received == [] and posts.docs == {}


async def test_photos_are_one_to_thirty_five_each_a_slide() -> None:
    service, _ = uploads(FakeMedia(), FakeCreators())
    post = await service.photos("u1", "session", DETAILS, readers([b"one", b"two", b"three"]))
    assert [s["index"] for s in post["slides"]] == [0, 1, 2]
    assert post["media_type"] == "PHOTO" and post["hashtags"] == []
    with pytest.raises(ApprovalRefused, match="1 to 35"):
        await service.photos("u1", "session", DETAILS, readers([b"x"] * 36))
    with pytest.raises(ApprovalRefused, match="1 to 35"):
        await service.photos("u1", "session", DETAILS, [])


def test_an_upload_names_an_account_and_a_title_tiktok_takes() -> None:
    with pytest.raises(ValueError, match="90 characters"):
        UploadDetails(account_id="acc-1", title="x" * 91)
    with pytest.raises(ValueError):
        UploadDetails(account_id="acc\x1f1", title="ok")  # what schemathesis once sent


async def test_a_photo_over_its_limit_is_refused_and_never_held_whole() -> None:
    """A 30 MB "photo" used to be read whole into approval's memory and sent to media."""
    media = FakeMedia()
    service, posts = uploads(media, FakeCreators())
    app = served([upload_routes.router], {Uploads: service})
    big = io.BytesIO(b"\xff\xd8" + b"x" * 30_000_000)
    form = {"account_id": "acc-1", "title": "Balcony tour"}
    files = [
        ("files", ("a.jpg", b"\xff\xd8small", "image/jpeg")),
        ("files", ("b.jpg", big, "image/jpeg")),
    ]
    async with app as client:
        answer = await client.post("/uploads", data=form, files=files, headers=bearer("u1"))
    assert answer.status_code == 413
    assert answer.json() == {
        "detail": f"each photo is limited to {upload_routes.PHOTO_BYTES} bytes"
    }
    assert media.received == [] and posts.docs == {}


async def test_a_photo_read_past_its_limit_stops_at_the_limit() -> None:
    """Should the size be unknown, the read itself is bounded."""

    class Endless:
        size = None
        asked: list[int] = []

        async def read(self, n: int = -1) -> bytes:
            self.asked.append(n)
            return b"x" * (n if n > 0 else 50_000_000)

    read = upload_routes.photo_of(cast(Any, Endless()))
    with pytest.raises(HTTPException) as refused:
        await read()
    assert refused.value.status_code == 413 and Endless.asked == [upload_routes.PHOTO_BYTES + 1]


async def test_uploads_over_the_daily_stored_bytes_are_refused_413_and_not_queued() -> None:
    media = FakeMedia()
    service, posts = uploads(media, FakeCreators(), stored_bytes_per_day=3_000_100)
    await service.video("u1", "session", DETAILS, body=chunks())  # 3,000,000 bytes kept
    photos = readers([b"\xff\xd8" + b"p" * 60, b"\xff\xd8" + b"q" * 60])
    with pytest.raises(BytesQuotaExceeded) as refused:
        await service.photos("u1", "session", DETAILS, photos)  # the second is one too many
    assert refused.value.status == 413
    assert (refused.value.used, refused.value.asked) == (3_000_062, 62)
    assert len(posts.docs) == 1  # the photo post was not queued, and nothing of it counted
    assert await service.storage.quotas.used("u1", [service.storage.quota]) == {
        "stored_bytes": 3_000_000
    }


async def test_a_video_is_cut_off_at_the_days_room_before_media_keeps_it() -> None:
    media = FakeMedia()
    service, posts = uploads(media, FakeCreators(), stored_bytes_per_day=10)

    async def eleven_bytes() -> AsyncIterator[bytes]:
        for _ in range(11):
            yield b"v"

    with pytest.raises(BytesQuotaExceeded) as refused:
        await service.video("u1", "session", DETAILS, body=eleven_bytes())
    assert "daily limit of 10 bytes stored reached" in refused.value.reason
    assert media.received == [] and posts.docs == {}


async def test_the_upload_page_reads_the_persons_stored_bytes_and_their_limit() -> None:
    service, _ = uploads(FakeMedia(), FakeCreators(), stored_bytes_per_day=5_000_000)
    await service.video("u1", "session", DETAILS, body=chunks())
    async with served([upload_routes.router], {Uploads: service}) as client:
        answer = await client.get("/uploads/usage", headers=bearer("u1"))
        full = await client.post(
            "/uploads",
            data={"account_id": "acc-1", "title": "Balcony tour"},
            files=[("files", ("a.jpg", b"\xff\xd8" + b"x" * 2_000_000, "image/jpeg"))],
            headers=bearer("u1"),
        )
    [quota] = answer.json()["quotas"]
    assert (quota["kind"], quota["used"], quota["limit"]) == ("stored_bytes", 3_000_000, 5_000_000)
    assert full.status_code == 413 and int(full.headers["retry-after"]) > 0
    assert full.json()["quota"]["used"] == 3_000_000


class PhotoPart:
    """A signed-in person's multipart body: the form's fields, then one "photo" part of `size`
    bytes, made as the service pulls it; and how much it pulled."""

    def __init__(self, size: int) -> None:
        self.size, self.pulled = size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield (
            b'--x\r\nContent-Disposition: form-data; name="account_id"\r\n\r\nacc-1\r\n'
            b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nBalcony\r\n'
            b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n'
            b"Content-Type: image/jpeg\r\n\r\n"
        )
        chunk = b"\xff" * (64 * 1024)
        while self.pulled < self.size:
            self.pulled += len(chunk)
            yield chunk
        yield b"\r\n--x--\r\n"


async def test_a_4_gb_photo_part_is_refused_as_it_passes_its_cap_with_under_25_mb_held() -> None:
    """It used to be spooled whole (to disk past 1 MB) before the route saw its size."""
    media = FakeMedia()
    service, posts = uploads(media, FakeCreators())
    body = PhotoPart(4_000_000_000)
    headers = bearer("u1") | {"Content-Type": "multipart/form-data; boundary=x"}
    tracemalloc.start()
    try:
        async with served([upload_routes.router], {Uploads: service}) as client:
            answer = await client.post("/uploads", content=body, headers=headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.status_code == 413
    assert answer.json() == {
        "detail": f"each photo is limited to {upload_routes.PHOTO_BYTES} bytes"
    }
    assert body.pulled < 25_000_000 and peak < 25_000_000
    assert media.received == [] and posts.docs == {}


async def test_a_file_of_another_type_is_refused_at_its_headers() -> None:
    service, _ = uploads(FakeMedia(), FakeCreators())
    form = {"account_id": "acc-1", "title": "Balcony tour"}
    files = [("files", ("a.gif", b"GIF89a", "image/gif"))]
    async with served([upload_routes.router], {Uploads: service}) as client:
        answer = await client.post("/uploads", data=form, files=files, headers=bearer("u1"))
    assert answer.status_code == 422 and "image/gif" in answer.json()["detail"]


async def test_photos_within_their_cap_are_queued_through_the_route() -> None:
    media = FakeMedia()
    service, posts = uploads(media, FakeCreators())
    form = {"account_id": "acc-1", "title": "Balcony tour"}
    photo = b"\xff\xd8" + b"x" * 100_000
    files = [("files", (f"{n}.jpg", photo, "image/jpeg")) for n in (1, 2)]
    async with served([upload_routes.router], {Uploads: service}) as client:
        answer = await client.post("/uploads", data=form, files=files, headers=bearer("u1"))
    assert answer.status_code == 201, answer.text
    assert [len(r) for r in media.received] == [100_002, 100_002] and len(posts.docs) == 1
