"""Approved posts that went quiet are found and shown as stuck, once, with the likeliest reason:
the approval never left (outbox), the publisher never took it in, or the publisher's last word is
old. A post waiting on purpose (a later publish time, a cap's `due_at`) is not stuck until that
time has passed too; any word from the publisher, or an outcome, clears the mark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from gatepost_approval.lifecycle import Post
from gatepost_approval.schemas import PostView
from gatepost_approval.stuck import NOT_SENT, NOT_TAKEN, StuckFinder
from gatepost_common.clock import Clock
from gatepost_common.cloud_event import envelope
from gatepost_common.events import PostProgressed, ProgressState
from tests.unit.approval.test_approvals import CHOICES, World, outcome, queued

AFTER = timedelta(minutes=15)


@dataclass
class FixedClock(Clock):
    at: datetime

    def now(self) -> datetime:
        return self.at


async def approved(world: World) -> tuple[StuckFinder, FixedClock, datetime]:
    await queued(world)
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    approved_at = (await world.post("p1"))["approved_at"]
    assert approved_at is not None
    clock = FixedClock(approved_at)
    finder = StuckFinder(world.parts.posts.posts, clock, AFTER, 60)
    return finder, clock, approved_at


def progressed(
    state: ProgressState, at: datetime, due_at: datetime | None = None, reason: str | None = None
) -> PostProgressed:
    return PostProgressed(
        post_id="p1", account_id="a1", attempt=1, state=state, at=at, due_at=due_at, reason=reason
    )


async def test_an_approval_nobody_took_in_is_stuck_once_and_shown_with_its_reason() -> None:
    world = World()
    finder, clock, approved_at = await approved(world)
    clock.at = approved_at + AFTER - timedelta(seconds=1)
    assert await finder.find() == []
    clock.at = approved_at + AFTER + timedelta(seconds=1)
    assert await finder.find() == [("p1", NOT_TAKEN)]
    assert await finder.find() == [], "marked once, logged and counted once"
    view = PostView.of(cast(Post, await world.post("p1")))
    assert view.stuck is not None and view.stuck.reason == NOT_TAKEN
    assert "post.approved.dlq" in view.stuck.reason


async def test_an_approval_still_in_the_outbox_says_so() -> None:
    world = World()
    world.kafka_down = True
    finder, clock, approved_at = await approved(world)
    clock.at = approved_at + AFTER * 2
    assert await finder.find() == [("p1", NOT_SENT)]


async def test_a_post_waiting_on_purpose_is_stuck_only_long_after_its_due_time() -> None:
    world = World()
    finder, clock, approved_at = await approved(world)
    due = approved_at + timedelta(hours=6)  # a daily cap: the publisher waits until then
    word = progressed("waiting", approved_at + timedelta(minutes=1), due_at=due, reason="cap")
    await world.approvals.on_post_progressed(envelope(word, source="p", subject="p1"))
    clock.at = due + AFTER - timedelta(seconds=1)
    assert await finder.find() == []
    clock.at = due + AFTER + timedelta(seconds=1)
    [(post_id, reason)] = await finder.find()
    assert post_id == "p1" and "'waiting'" in reason and reason.endswith(": cap")


async def test_word_from_the_publisher_clears_the_mark_and_an_outcome_ends_it() -> None:
    world = World()
    finder, clock, approved_at = await approved(world)
    clock.at = approved_at + AFTER * 2
    assert len(await finder.find()) == 1
    word = progressed("uploading", clock.at)
    await world.approvals.on_post_progressed(envelope(word, source="p", subject="p1"))
    assert (await world.post("p1"))["stuck"] is None
    assert await finder.find() == [], "it spoke just now"
    await world.approvals.on_post_published(outcome("PUBLISH_COMPLETE", 1))
    clock.at += AFTER * 10
    assert await finder.find() == []
    assert PostView.of(cast(Post, await world.post("p1"))).stuck is None
