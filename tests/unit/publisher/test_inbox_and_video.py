"""Drafts sent to the creator's inbox and video posts, over the publisher's fakes: the init each
one gets, TikTok's 5 drafts a day, and the creator's video length."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.unit.publisher.fakes import World, world

VIDEO = {
    "url": "https://media.example/p/v.mp4",
    "sha256": "a" * 64,
    "size": 25_000_000,
    "mime": "video/mp4",
    "duration_s": 42.0,
    "width": 1080,
    "height": 1920,
    "transfer": "PULL_FROM_URL",
}
DRAFT: dict[str, Any] = {
    "post_mode": "MEDIA_UPLOAD",
    "options": {"privacy_level": None, "disable_comment": True},
}


async def test_drafts_go_to_the_inbox_and_the_sixth_in_a_day_waits() -> None:
    w = world()
    for n in range(6):
        await w.approve(f"post-{n}", **DRAFT)
    for _ in range(6):
        await w.step()
    assert w.calls.sent.count("content_init") == 5
    waiting = w.job("post-5")
    assert waiting["status"] == "queued" and "5 drafts" in waiting["deferred_reason"]
    first = w.job("post-0")["processing_since"]
    assert waiting["due_at"] == first + timedelta(hours=24)
    assert not w.cap.held.get("creator-1"), "drafts are not posts of the daily cap"
    for n in range(5):
        assert w.job(f"post-{n}")["status"] == "processing"
    # approval's queue hears why the sixth waits, and until when
    [waits] = [p for p in w.progressed if p.state == "waiting"]
    assert (waits.post_id, waits.due_at) == ("post-5", waiting["due_at"])
    assert [p.state for p in w.progressed].count("processing") == 5


async def test_a_draft_that_fails_gives_its_place_back() -> None:
    w = world(inbox_share_cap=1)
    await w.approve("post-a", **DRAFT)
    await w.approve("post-b", **DRAFT)
    await w.step()
    await w.step()
    assert w.job("post-b")["status"] == "queued"
    w.calls.then("status_fetch", {"status": "FAILED", "fail_reason": "spam_risk"})
    w.clock.advance(60)
    await w.step()
    assert w.job("post-a")["result"] == "FAILED"
    assert w.shares.sent == {}


async def video_step(longest_s: int) -> tuple[World, dict[str, Any]]:
    """One step of a 42-second video post for a creator who may post `longest_s` seconds."""
    w = world()
    w.calls.then(
        "creator_info",
        {"privacy_level_options": ["PUBLIC_TO_EVERYONE"], "max_video_post_duration_sec": longest_s},
    )
    await w.approve(media_type="VIDEO", photo_urls=[], video=VIDEO)
    job = await w.step()
    assert job is not None
    return w, job


async def test_a_video_longer_than_the_creator_may_post_is_refused_before_init() -> None:
    w, job = await video_step(30)
    assert job["result"] == "FAILED"
    assert "up to 30 s" in job["fail_reason"] and "video_init" not in w.calls.sent


async def test_a_video_goes_by_video_init() -> None:
    w, job = await video_step(60)
    assert job["status"] == "processing"
    assert w.calls.sent == ["creator_info", "video_init"]
