"""The live link after PUBLISH_COMPLETE: the public id arrives late (after moderation) by status
polls that back off over hours, holding no worker; it is TikTok's exact digits (above 2^53); a
post TikTok stops showing is marked taken down with its time. A post flagged "may have been posted
as private" while TikTok was slow loses the flag once its public id comes."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any, cast

import httpx

from gatepost_common.cloud_event import CloudEvent
from gatepost_common.events import PostPublished
from gatepost_common.tiktok import TikTokClient
from gatepost_publisher.housekeeping import check_visibility
from gatepost_publisher.jobs import MongoJobRepository
from gatepost_publisher.live import LiveLinks
from gatepost_publisher.webhooks import WebhookInbox
from tests.unit.memory import MemoryDatabase
from tests.unit.publisher.fakes import World, world

BIG_ID = "7602997517160123666"  # 19 digits: a float would make it 7602997517160123392


def links(w: World) -> LiveLinks:
    assert w.parts.live is not None
    return w.parts.live


async def tiktok_status_answer(body: str) -> dict[str, Any]:
    """status/fetch as TikTokClient parses TikTok's bytes (ids are bare int64 JSON numbers)."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=body, headers={"content-type": "application/json"})

    http = httpx.AsyncClient(base_url="https://tiktok.test", transport=httpx.MockTransport(answer))
    client = TikTokClient(http, client_key="k", client_secret="s")
    return await client.publish_status("token", "p_pub_1")


async def published_without_id(w: World) -> None:
    await w.approve()
    await w.step()  # creator_info, content/init
    w.calls.then("status_fetch", {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": []})
    w.clock.advance(60)
    await w.step()
    assert w.job()["result"] == "PUBLISH_COMPLETE" and w.job()["post_ids"] == []


async def test_the_19_digit_public_id_from_tiktoks_json_is_kept_exactly() -> None:
    w = world()
    await w.approve()
    await w.step()
    raw = (
        '{"data":{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[' + BIG_ID + "]},"
        '"error":{"code":"ok","message":"","log_id":"x"}}'
    )
    w.calls.then("status_fetch", await tiktok_status_answer(raw))
    w.clock.advance(60)
    await w.step()
    assert w.job()["post_ids"] == [BIG_ID]
    stored = await links(w).store.get("post-1")
    assert stored is not None and stored["public_id"] == BIG_ID
    assert stored["link"] == f"https://www.tiktok.com/@_/photo/{BIG_ID}"
    assert w.progressed[-1].state == "live" and w.progressed[-1].link == stored["link"]


async def test_a_public_id_that_comes_two_hours_later_still_gives_the_link() -> None:
    w = world()
    await published_without_id(w)
    complete_at = w.clock.now()
    live = links(w)
    assert await live.store.watching("post-1")

    def status_now(endpoint: str) -> Any:
        assert endpoint == "status_fetch"
        late = w.clock.now() - complete_at >= timedelta(hours=2)
        return {
            "status": "PUBLISH_COMPLETE",
            "publicaly_available_post_id": [int(BIG_ID)] if late else [],
        }

    w.calls.healthy = status_now  # type: ignore[method-assign]
    polls = 0
    while (watch := await live.store.watch.find_one({"_id": "post-1"})) is not None:
        w.clock.at = max(w.clock.at, watch["due_at"])
        polls += await live.poll_due()
        assert w.clock.now() - complete_at < timedelta(hours=4)
    assert w.job()["post_ids"] == [BIG_ID]
    stored = await live.store.get("post-1")
    assert stored is not None and stored["link"].endswith(f"/photo/{BIG_ID}")
    assert w.progressed[-1].state == "live"
    # backing off over hours: a handful of polls, not one every half minute
    assert 3 <= polls <= 10 and w.calls.sent.count("status_fetch") == polls + 1


async def test_the_post_is_followed_before_its_outcome_leaves() -> None:
    """Whoever sees post.published (a test moving the stack's clock on at once, or nobody: the
    publisher crashed right after) finds the post followed, its first poll due a minute after
    completion: the stack-level test of the two-hour id waited a minute past its clock move."""
    w = world()
    await w.approve()
    await w.step()
    outcomes, followed = w.parts.outcomes, []
    emit = outcomes.emit

    async def follow_then_emit(event: CloudEvent[Any], key: str) -> None:
        if isinstance(event.data, PostPublished):
            followed.append(await links(w).store.watching("post-1"))
        await emit(event, key)

    outcomes.emit = follow_then_emit
    w.calls.then("status_fetch", {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": []})
    w.clock.advance(60)
    await w.step()
    assert followed == [True]
    w.clock.advance(7200)  # moderation ends two hours on: the first poll brings the id
    w.calls.then(
        "status_fetch", {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [BIG_ID]}
    )
    assert await links(w).poll_due() == 1 and w.job()["post_ids"] == [BIG_ID]


async def test_a_watch_whose_job_ended_otherwise_is_dropped_unpolled() -> None:
    """A replica holding an old copy of the job follows it, then loses the race to record its
    outcome (another recorded FAILED first): the watch it left is dropped, never polled."""
    w = world()
    await w.approve()
    await w.step()
    stale = copy.deepcopy(w.job())
    w.calls.then("status_fetch", {"status": "FAILED", "fail_reason": "picture_size_check_failed"})
    w.clock.advance(60)
    await w.step()
    assert w.job()["result"] == "FAILED"
    await w.parts.following.settle(stale, "PUBLISH_COMPLETE", None, [])
    assert await links(w).store.watching("post-1") and w.job()["result"] == "FAILED"
    sent = len(w.calls.sent)
    w.clock.advance(120)
    await links(w).poll_due()
    assert not await links(w).store.watching("post-1") and len(w.calls.sent) == sent


async def test_polls_stop_when_the_webhook_brought_the_id_first() -> None:
    w = world()
    await published_without_id(w)
    inbox = WebhookInbox(
        cast(Any, MemoryDatabase()),
        cast(Any, w.jobs),
        w.parts.following,
        w.audit,
        w.clock,
        w.parts.live,
    )
    content = {"publish_id": w.job()["publish_id"], "post_id": BIG_ID}
    await inbox.apply_event("post.publish.publicly_available", content)
    assert not await links(w).store.watching("post-1")
    sent = len(w.calls.sent)
    w.clock.advance(7200)
    assert await links(w).poll_due() == 0 and len(w.calls.sent) == sent
    assert w.job()["post_ids"] == [BIG_ID]


async def test_a_post_tiktok_stops_showing_is_taken_down_with_its_time() -> None:
    w = world()
    await published_without_id(w)
    inbox = WebhookInbox(
        cast(Any, MemoryDatabase()),
        cast(Any, w.jobs),
        w.parts.following,
        w.audit,
        w.clock,
        w.parts.live,
    )
    content = {"publish_id": w.job()["publish_id"], "post_id": BIG_ID}
    await inbox.apply_event("post.publish.publicly_available", content)
    w.clock.advance(86400)
    await inbox.apply_event("post.publish.no_longer_publicaly_available", content)
    stored = await links(w).store.get("post-1")
    assert stored is not None
    assert stored["taken_down_at"] == w.clock.now() and stored["next_read_at"] is None
    assert "taken_down" in w.audit.kinds()


async def test_the_may_be_private_flag_is_cleared_when_the_public_id_comes() -> None:
    w = world()
    await published_without_id(w)
    w.clock.advance(w.settings.public_grace_s)  # an hour without a public id
    await check_visibility(w.parts.outcomes)
    assert "SELF_ONLY" in w.job()["flag"] and w.progressed[-1].state == "flagged"
    w.calls.then(
        "status_fetch", {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [BIG_ID]}
    )
    w.clock.advance(3600)  # moderation took two hours
    assert await links(w).poll_due() == 1
    assert w.job()["post_ids"] == [BIG_ID] and w.job()["flag"] is None
    assert w.progressed[-1].state == "live"


async def test_a_public_id_that_came_first_is_never_flagged_afterwards() -> None:
    """The id comes between the visibility check's read and its flag: no flag, no audit entry."""
    jobs = MongoJobRepository(cast(Any, MemoryDatabase()))
    await jobs.jobs.insert_one({"_id": "job-1", "post_ids": [], "visibility_due": None})
    assert await jobs.flag("job-1", "may be private")
    await jobs.add_post_ids("job-1", [BIG_ID])
    cleared = await jobs.jobs.find_one({"_id": "job-1"})
    assert cleared is not None and cleared["flag"] is None and cleared["post_ids"] == [BIG_ID]
    assert not await jobs.flag("job-1", "may be private")
    still = await jobs.jobs.find_one({"_id": "job-1"})
    assert still is not None and still["flag"] is None
