"""TikTok's app-wide cap of distinct creators within 24 hours, over the publisher's fakes and the
app's real creator window in an in-memory MongoDB: a post over it waits with the reason and goes
out when a place frees, a creator counted already posts again, TikTok's own
`reached_active_user_cap` is the same wait, and the headroom route says how many more may post."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from gatepost_publisher.budget import Budgets, headroom_routes
from gatepost_publisher.domain import Handling
from tests.unit.asgi import bearer, served
from tests.unit.publisher.fakes import World, refused, world

FULL = "this app may post for no more creators today"


async def posts_for_creators(w: World, count: int, first: int = 0) -> None:
    """One approved post each for `count` creators (account-n posts as creator-n), handed over."""
    for n in range(first, first + count):
        w.calls.creators[f"account-{n}"] = f"creator-{n}"
        await w.approve(f"post-{n}", account_id=f"account-{n}")
        await everything_due(w)


async def everything_due(w: World) -> None:
    """Work every step due now (status polls of the posts already handed over too)."""
    for _ in range(50):
        if await w.step() is None:
            return


async def test_the_sixth_creator_of_an_unaudited_app_waits_and_goes_out_when_a_place_frees() -> (
    None
):
    w = world(tiktok_app_audited=False)
    await posts_for_creators(w, 5)
    assert w.calls.sent.count("content_init") == 5
    w.clock.advance(600)
    await posts_for_creators(w, 1, first=5)
    waiting = w.job("post-5")
    assert waiting["status"] == "queued" and waiting.get("result") is None
    assert (
        FULL in waiting["deferred_reason"]
        and "unaudited app post for 5" in (waiting["deferred_reason"])
    )
    # the first creator's post is a day old then: their place frees
    assert waiting["due_at"] == w.job("post-0")["attempt_at"] + timedelta(hours=24)
    assert w.calls.sent.count("content_init") == 5
    assert not w.cap.held.get("creator-5"), "a post that waits holds no place of its creator's"
    [waits] = [p for p in w.progressed if p.state == "waiting"]
    assert (waits.post_id, waits.reason) == ("post-5", waiting["deferred_reason"])
    w.clock.at = waiting["due_at"]
    await everything_due(w)
    assert w.job("post-5")["status"] == "processing"
    assert w.calls.sent.count("content_init") == 6


async def test_a_creator_counted_today_posts_again_without_a_new_place() -> None:
    w = world(tiktok_app_audited=False, unaudited_creator_cap=2)
    await posts_for_creators(w, 2)
    w.clock.advance(3600)
    await w.approve("post-again", account_id="account-0")
    await everything_due(w)
    assert w.job("post-again")["status"] == "processing"
    # posting again counts the creator from now: 24 hours after the first post, one is still in
    w.clock.advance(23 * 3600 + 60)
    headroom = await w.app.headroom(w.settings, w.clock.now())
    assert (headroom.creators_24h, headroom.creators_left) == (1, 1)


async def test_an_audited_app_counts_against_its_granted_cap() -> None:
    w = world(tiktok_app_audited=True, active_creator_cap=6)
    await posts_for_creators(w, 6)
    assert w.calls.sent.count("content_init") == 6
    await posts_for_creators(w, 1, first=6)
    assert "audited app post for 6" in w.job("post-6")["deferred_reason"]


async def test_tiktoks_reached_active_user_cap_is_the_same_wait_and_gives_the_place_back() -> None:
    w = world(tiktok_app_audited=False)
    w.calls.then("content_init", refused("reached_active_user_cap", Handling.DEFER))
    await posts_for_creators(w, 1)
    job = w.job("post-0")
    assert job["status"] == "queued" and job.get("result") is None
    assert FULL in job["deferred_reason"]
    # Gatepost counts four places free (TikTok counts posts it did not make): asked again later
    assert job["due_at"] == w.clock.now() + timedelta(seconds=w.settings.defer_limit_s)
    assert (await w.app.headroom(w.settings, w.clock.now())).creators_24h == 0
    assert not w.cap.held.get("creator-0")
    w.clock.at = job["due_at"]
    await everything_due(w)
    assert w.job("post-0")["status"] == "processing"


async def test_a_creator_whose_post_waits_for_its_own_cap_holds_no_app_place() -> None:
    w = world(tiktok_app_audited=False, daily_cap=1)
    await posts_for_creators(w, 1)
    await w.approve("post-second", account_id="account-0")
    await everything_due(w)
    assert "daily cap" in w.job("post-second")["deferred_reason"]
    assert (await w.app.headroom(w.settings, w.clock.now())).creators_24h == 1


async def test_the_headroom_route_says_how_many_more_creators_may_post() -> None:
    w = world(tiktok_app_audited=False)
    await posts_for_creators(w, 3)
    budgets = Budgets(w.settings, cast(Any, w.cap), cast(Any, w.shares), w.app, w.clock)
    async with served([headroom_routes], {Budgets: budgets}) as client:
        answer = await client.get("/app/headroom", headers=bearer("user-1"))
        assert (await client.get("/app/headroom")).status_code == 401
    assert answer.status_code == 200
    assert answer.json() == {
        "audited": False,
        "creator_cap": 5,
        "creators_24h": 3,
        "creators_left": 2,
        "next_creator_place_at": None,
    }
