"""Which posts' media expire (rejected and failed after 30 days, published after 90), and the pass
that marks them and tells media which of their files no kept post names: a picture shared with
a post whose media are kept is never named, and a post whose media expired is not published
again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from gatepost_approval import lifecycle
from gatepost_approval.handlers import MediaExpired
from gatepost_approval.lifecycle import Post
from gatepost_approval.media_expiry import MediaExpiry
from gatepost_approval.retention import Retention, files_of, releasable
from gatepost_common.clock import Clock
from tests.unit.approval.test_approvals import CHOICES, World, outcome, queued
from tests.unit.memory import MemoryDatabase

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
RETENTION = Retention(undelivered=timedelta(days=30), delivered=timedelta(days=90))
BASE = "https://media.example/media"


def picture(n: int) -> str:
    return f"{n:064x}"


def post(post_id: str, status: str, pictures: list[int], **fields: Any) -> Post:
    slides = [
        {
            "index": i,
            "image_url": f"{BASE}/{picture(n)}.jpg",
            "sha256": picture(n),
            "illustration_url": f"{BASE}/{picture(n + 1000)}.jpg",
            "illustration_sha256": picture(n + 1000),
        }
        for i, n in enumerate(pictures)
    ]
    return cast(
        Post, {"_id": post_id, "user_id": "u1", "status": status, "slides": slides, **fields}
    )


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("status", "field", "days", "expired"),
    [
        ("rejected", "rejected_at", 31, True),
        ("rejected", "rejected_at", 29, False),
        ("failed", "settled_at", 31, True),
        ("published", "settled_at", 31, False),
        ("published", "settled_at", 91, True),
        ("in_inbox", "settled_at", 91, True),
        # settled before `settled_at` existed: counted from the approval
        ("failed", "approved_at", 31, True),
        ("awaiting_approval", "created_at", 400, False),
        ("approved", "approved_at", 400, False),
        ("unknown", "settled_at", 400, False),
        ("withdrawn", "settled_at", 400, False),
    ],
)
async def test_which_posts_media_expire(status: str, field: str, days: int, expired: bool) -> None:
    """The rule, and the MongoDB filter that finds the same posts."""
    p = post("p1", status, [1], **{field: days_ago(days)})
    assert RETENTION.expired(p, NOW) is expired
    db = MemoryDatabase()
    await db["posts"].insert_one(dict(p))
    found = await db["posts"].find(RETENTION.expired_query(NOW)).to_list()
    assert [f["_id"] for f in found] == (["p1"] if expired else [])


def test_a_posts_files_are_its_pictures_with_and_without_words_and_its_video_with_poster() -> None:
    video = {"url": f"{BASE}/{'a' * 64}.mp4", "poster_url": f"{BASE}/{'b' * 64}.jpg"}
    assert files_of(post("p", "rejected", [1, 2])) == {
        f"{picture(n)}.jpg" for n in (1, 2, 1001, 1002)
    }
    assert files_of(cast(Post, {"_id": "v", "video": video})) == {
        f"{'a' * 64}.mp4",
        f"{'b' * 64}.jpg",
    }


def test_a_file_another_kept_post_names_is_not_released() -> None:
    rejected = post("a", "rejected", [1, 2])
    live = post("b", "awaiting_approval", [2])
    assert releasable(rejected, [live]) == {f"{picture(n)}.jpg" for n in (1, 1001)}


class FakeMedia:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def release(self, names: list[str]) -> dict[str, list[str]]:
        self.asked.append(names)
        return {"deleted": names, "kept": []}


class At(Clock):
    def now(self) -> datetime:
        return NOW


async def expiry_over(*posts: Post) -> tuple[MediaExpiry, FakeMedia, Any]:
    db = MemoryDatabase()
    for p in posts:
        await db["posts"].insert_one(dict(p))
    media = FakeMedia()
    return MediaExpiry(db["posts"], media, RETENTION, At(), 60), media, db["posts"]


async def test_the_pass_releases_an_expired_posts_own_files_and_keeps_shared_ones() -> None:
    expiry, media, posts = await expiry_over(
        post("a", "rejected", [1, 2], rejected_at=days_ago(31)),
        post("b", "awaiting_approval", [2]),
        post("c", "rejected", [3], rejected_at=days_ago(2)),
    )
    await expiry.expire()
    assert media.asked == [[f"{picture(n)}.jpg" for n in (1, 1001)]]
    a = await posts.find_one({"_id": "a"})
    assert a["media_expired_at"] == NOW and a["media_released_at"] == NOW
    assert a["media_shared"] == [f"{picture(n)}.jpg" for n in (2, 1002)]
    assert (await posts.find_one({"_id": "c"})).get("media_expired_at") is None
    await expiry.expire()  # marked and released once
    assert len(media.asked) == 1


async def test_two_expired_posts_sharing_a_picture_release_it() -> None:
    expiry, media, _ = await expiry_over(
        post("a", "rejected", [1], rejected_at=days_ago(31)),
        post("b", "failed", [1], settled_at=days_ago(40)),
    )
    await expiry.expire()
    assert [f"{picture(1)}.jpg" in names for names in media.asked] == [True, True]


async def test_a_crash_before_media_was_told_is_released_by_the_next_pass() -> None:
    class Away(FakeMedia):
        async def release(self, names: list[str]) -> dict[str, list[str]]:
            raise OSError("media away")

    expiry, media, posts = await expiry_over(post("a", "rejected", [1], rejected_at=days_ago(31)))
    expiry.media = Away()
    with pytest.raises(OSError):
        await expiry.expire()
    marked = await posts.find_one({"_id": "a"})
    assert marked["media_expired_at"] == NOW and marked.get("media_released_at") is None
    expiry.media = media
    await expiry.expire()
    assert media.asked == [[f"{picture(n)}.jpg" for n in (1, 1001)]]


class Later(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(days=31)


async def test_a_failed_post_whose_media_expired_is_not_published_again() -> None:
    """Failed a month ago: its pictures go, and "publish again" says why it cannot. The mark
    is also part of the move's condition, so a pass and a click cannot both win."""
    world = World()
    await queued(world)
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    await world.approvals.on_post_published(outcome("FAILED", 1, "TikTok had an internal error"))
    expiry, media = world.parts.media_expiry, FakeMedia()
    expiry.media, expiry.clock = media, Later()
    await expiry.expire()
    assert media.asked == [sorted(f"{i:064x}.jpg" for i in range(7))]
    with pytest.raises(MediaExpired):
        await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1", again=True)
    assert [e.data.attempt for e in world.emitted] == [1]
    assert lifecycle.approve(0, 2, {"approved_at": NOW}).when["media_expired_at"] is None
